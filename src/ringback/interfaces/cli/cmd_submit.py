"""``ringback submit``: submit one job straight into the store.

For HTTP jobs (the default kind) the options build the payload::

    ringback submit https://shop.example/notify --json '{"trade_no": "T1"}' \\
        --header 'Authorization:Bearer x' --policy alipay --key pay-T1 --success-body success

Other kinds take their payload whole: ``--kind task --payload '{"task": ...}'``.
"""

from __future__ import annotations

import argparse
from typing import Any

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind
from ringback.core.service import SubmitRequest, job_view
from ringback.core.service.policy_specs import PolicySpec
from ringback.interfaces.cli import output
from ringback.interfaces.cli.commands import Subparsers, add_command, run_async
from ringback.interfaces.cli.context import open_service
from ringback.interfaces.cli.parsing import (
    json_object,
    json_value,
    optional_duration,
    optional_time,
    pair,
    text_or_file,
)


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "submit",
        help="submit a job (an HTTP callback unless --kind says otherwise)",
        handler=lambda args: run_async(_submit(args)),
    )
    parser.add_argument("url", nargs="?", help="the URL to call (HTTP jobs)")
    http = parser.add_argument_group("HTTP jobs")
    http.add_argument("--method", help="GET, POST (default), PUT, PATCH or DELETE")
    body = http.add_mutually_exclusive_group()
    body.add_argument("--body", metavar="TEXT|@FILE", help="request body as text")
    body.add_argument("--json", dest="json_body", metavar="JSON|@FILE", help="JSON request body")
    http.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="a request header (repeatable)",
    )
    http.add_argument(
        "--success-body",
        metavar="TEXT",
        help="success needs the answer body to be exactly TEXT (e.g. success)",
    )
    http.add_argument(
        "--success-status",
        action="append",
        default=[],
        metavar="CODE",
        help="success needs this status or class, e.g. 200 or 2xx (repeatable)",
    )
    http.add_argument("--timeout", metavar="DURATION", help="limit for one attempt, e.g. 10s")
    parser.add_argument(
        "--kind",
        default=JobKind.HTTP.value,
        choices=[kind.value for kind in JobKind],
        help="job kind (default: http)",
    )
    parser.add_argument(
        "--payload", metavar="JSON|@FILE", help="the whole payload (task and command jobs)"
    )
    parser.add_argument(
        "--policy", metavar="PRESET|JSON", help='a preset (alipay) or a JSON spec {"type": …}'
    )
    parser.add_argument("--key", help="idempotency key: resubmitting it returns the first job")
    parser.add_argument("--queue", default="default")
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--at", metavar="ISO", help="first attempt time, e.g. 2026-01-01T12:00Z")
    when.add_argument("--delay", metavar="DURATION", help="first attempt after, e.g. 10m")
    parser.add_argument(
        "--label", action="append", default=[], metavar="NAME=VALUE", help="(repeatable)"
    )
    # "--json" is the request body here (as in curl), so machine output is -o json.
    parser.add_argument(
        "-o",
        "--output",
        choices=("text", "json"),
        default="text",
        help="json: print the job and whether it was created, for scripts",
    )


def build_request(args: argparse.Namespace) -> SubmitRequest:
    """The submit request the options describe (raises InvalidInput naming the option)."""
    return SubmitRequest(
        kind=args.kind,
        payload=_payload(args),
        policy=_policy(args.policy),
        key=args.key,
        queue=args.queue,
        at=optional_time(args.at, option="--at"),
        delay=optional_duration(args.delay, option="--delay"),
        labels=dict(pair(label, option="--label", sep="=") for label in args.label),
    )


def _payload(args: argparse.Namespace) -> dict[str, Any]:
    if args.kind != JobKind.HTTP.value:
        http_only = [args.url, args.method, args.body, args.json_body, args.success_body]
        if any(value is not None for value in http_only) or args.header:
            raise InvalidInput("URL and the HTTP options are for --kind http", field="--kind")
        if args.payload is None:
            raise InvalidInput(f"a {args.kind} job needs --payload", field="--payload")
        return json_object(args.payload, option="--payload")
    if args.payload is not None:
        if args.url is not None:
            raise InvalidInput("give the URL or --payload, not both", field="--payload")
        return json_object(args.payload, option="--payload")
    if args.url is None:
        raise InvalidInput("the URL to call is required", field="url")
    return _http_payload(args)


def _http_payload(args: argparse.Namespace) -> dict[str, Any]:
    payload: dict[str, Any] = {"url": args.url}
    if args.method is not None:
        payload["method"] = args.method.upper()
    if args.body is not None:
        payload["body"] = text_or_file(args.body, option="--body")
    if args.json_body is not None:
        payload["json"] = json_value(args.json_body, option="--json")
    if args.header:
        payload["headers"] = dict(pair(h, option="--header", sep=":") for h in args.header)
    success: dict[str, Any] = {}
    if args.success_body is not None:
        success["body_equals"] = args.success_body
    if args.success_status:
        success["status"] = list(args.success_status)
    if success:
        payload["success"] = success
    if args.timeout is not None:
        payload["timeout"] = args.timeout
    return payload


def _policy(text: str | None) -> PolicySpec | None:
    if text is None:
        return None
    stripped = text.strip()
    if stripped.startswith("{") or stripped.startswith("@"):
        return json_object(stripped, option="--policy")
    return stripped


async def _submit(args: argparse.Namespace) -> int:
    request = build_request(args)
    # Validated in full before the store is opened: a rejected job leaves no trace.
    async with open_service(
        args, check=lambda service: service.validate(request), load_tasks=True
    ) as service:
        result = await service.submit(request)
    job = result.job
    if args.output == "json":
        output.print_json({"job": job_view(job), "created": result.created})
    elif result.created:
        output.console().print(
            f"job {job.id} created: {job.state.value}, first attempt at {output.when(job.run_at)}"
        )
    else:
        output.console().print(
            f"job {job.id} already exists for key {output.cell(job.key)} "
            f"({job.state.value}); nothing created"
        )
    return 0
