"""HttpExecutor end to end: real receivers on loopback that verify signatures with the
official Standard Webhooks library, real TLS with the pinned name, the system resolver."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta

import pytest
from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ringback.core.config import ensure_secrets, load_settings
from ringback.core.executors.base import ExecutionResult, ResultKind
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.jobs import JsonObject
from ringback.interfaces.runtime.components import http_options
from tests.http_support import make_certificates, running_http_job

NAME = "merchant.invalid"  # never resolvable for real: reaching it proves the pin

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Serve = Callable[..., Awaitable[int]]


async def deliver(
    executor: HttpExecutor, payload: JsonObject, **job_fields: object
) -> ExecutionResult:
    prepared = executor.prepare(payload)
    return await executor.execute(running_http_job(prepared.payload, **job_fields))  # type: ignore[arg-type]


class TableDns:
    def __init__(self, answers: dict[str, Sequence[str]]) -> None:
        self.answers = answers
        self.calls = 0

    async def resolve(self, host: str, port: int) -> Sequence[str]:
        self.calls += 1
        return self.answers[host]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """``port = await serve(handler, ssl_context=None)``: a live receiver on 127.0.0.1."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> int:
        app = web.Application()
        app.router.add_route("*", "/hook", handler)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        runners.append(runner)
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for runner in runners:
        await runner.cleanup()


def verifying_receiver(secret: str, log: list[str], *, json_body: bool = True) -> Handler:
    """A merchant that checks the signature with the official library, as the docs say."""

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            parsed = Webhook(secret).verify(body, dict(request.headers), json_parse=json_body)
        except WebhookVerificationError as exc:
            log.append(f"rejected: {exc}")
            return web.Response(status=401, text="bad signature")
        log.append(f"{request.headers['webhook-id']} {parsed!r}")
        return web.Response(text="success")

    return handle


async def test_a_delivered_json_callback_verifies_with_standardwebhooks(serve):
    secret, log = generate_secret(), []
    port = await serve(verifying_receiver(secret, log))
    executor = HttpExecutor(HttpOptions(signing_secret=secret, allow_private=True))
    try:
        payload = {
            "url": f"http://127.0.0.1:{port}/hook",
            "json": {"out_trade_no": "A1", "total_amount": "12.50", "subject": "咖啡"},
            "success": {"body_equals": "success"},
        }
        result = await deliver(executor, payload, job_id=7, key="pay-A1")
    finally:
        await executor.close()
    assert result.kind is ResultKind.SUCCESS, result.error
    assert log == ["pay-A1 {'out_trade_no': 'A1', 'total_amount': '12.50', 'subject': '咖啡'}"]


async def test_a_form_body_verifies_too(serve):
    secret, log = generate_secret(), []
    port = await serve(verifying_receiver(secret, log, json_body=False))
    executor = HttpExecutor(HttpOptions(signing_secret=secret, allow_private=True))
    try:
        payload = {
            "url": f"http://127.0.0.1:{port}/hook",
            "body": "trade_status=TRADE_SUCCESS&out_trade_no=A1",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        }
        result = await deliver(executor, payload, job_id=8)
    finally:
        await executor.close()
    assert result.kind is ResultKind.SUCCESS, result.error
    assert log == ["job_8 None"]


async def test_a_receiver_with_another_secret_rejects_and_we_retry(serve):
    log: list[str] = []
    port = await serve(verifying_receiver(generate_secret(), log))
    executor = HttpExecutor(HttpOptions(signing_secret=generate_secret(), allow_private=True))
    try:
        result = await deliver(executor, {"url": f"http://127.0.0.1:{port}/hook", "json": {}})
    finally:
        await executor.close()
    assert result.kind is ResultKind.RETRY
    assert result.error == "HTTP 401"
    assert log == ["rejected: No matching signature found"]


async def test_a_merchant_answering_fail_is_retried_until_success(serve):
    answers = iter(["fail", "  fail", "success\n"])
    ids: list[str] = []

    async def merchant(request: web.Request) -> web.StreamResponse:
        ids.append(request.headers["webhook-id"])
        return web.Response(text=next(answers))

    port = await serve(merchant)
    executor = HttpExecutor(HttpOptions(signing_secret=generate_secret(), allow_private=True))
    payload = {"url": f"http://127.0.0.1:{port}/hook", "success": {"body_equals": "success"}}
    try:
        kinds = [(await deliver(executor, payload, job_id=3)).kind for _ in range(3)]
    finally:
        await executor.close()
    assert kinds == [ResultKind.RETRY, ResultKind.RETRY, ResultKind.SUCCESS]
    assert ids == ["job_3"] * 3


async def test_https_goes_to_the_pinned_address_with_the_name_for_sni_and_host(serve, tmp_path):
    server_tls, client_tls = make_certificates(tmp_path, NAME)
    sni_names: list[str | None] = []
    server_tls.sni_callback = lambda _sock, server_name, _ctx: sni_names.append(server_name)
    hosts: list[str] = []

    async def merchant(request: web.Request) -> web.StreamResponse:
        hosts.append(request.headers["Host"])
        return web.Response(text="success")

    port = await serve(merchant, ssl_context=server_tls)
    dns = TableDns({NAME: ["127.0.0.1"]})
    options = HttpOptions(
        signing_secret=generate_secret(),
        allowed_hosts=frozenset({str(ipaddress.ip_network("127.0.0.1/32"))}),
        ssl_context=client_tls,
    )
    executor = HttpExecutor(options, resolver=dns)
    try:
        results = [await deliver(executor, {"url": f"https://{NAME}:{port}/hook"}) for _ in "ab"]
    finally:
        await executor.close()
    assert [r.kind for r in results] == [ResultKind.SUCCESS] * 2, results[0].error
    assert sni_names == [NAME]  # one TLS connection, kept alive for the second call
    assert hosts == [f"{NAME}:{port}"] * 2
    assert dns.calls == 1  # the second attempt used the cached vetting


async def test_a_certificate_for_another_name_is_not_accepted(serve, tmp_path):
    server_tls, client_tls = make_certificates(tmp_path, "someone-else.invalid")

    async def merchant(request: web.Request) -> web.StreamResponse:
        return web.Response(text="success")

    port = await serve(merchant, ssl_context=server_tls)
    options = HttpOptions(
        signing_secret=generate_secret(),
        allowed_hosts=frozenset({"127.0.0.1"}),
        ssl_context=client_tls,
    )
    executor = HttpExecutor(options, resolver=TableDns({NAME: ["127.0.0.1"]}))
    try:
        result = await deliver(executor, {"url": f"https://{NAME}:{port}/hook"})
    finally:
        await executor.close()
    assert result.kind is ResultKind.RETRY
    assert result.error is not None
    assert result.error.startswith(f"TLS certificate of {NAME}:{port} not accepted")
    assert "Hostname mismatch" in result.error


async def test_the_system_resolver_vets_and_pins_localhost_when_allowed(serve):
    async def merchant(request: web.Request) -> web.StreamResponse:
        return web.Response(text="success")

    port = await serve(merchant)
    allowed = HttpOptions(signing_secret=generate_secret(), allowed_hosts=frozenset({"localhost"}))
    refused = HttpOptions(
        signing_secret=allowed.signing_secret, allowed_hosts=frozenset({"10.0.0.0/8"})
    )
    permissive, strict = HttpExecutor(allowed), HttpExecutor(refused)
    url = f"http://localhost:{port}/hook"
    try:
        ok = await deliver(permissive, {"url": url})
        # A job stored before the operator tightened the rules is refused at send time.
        no = await strict.execute(running_http_job({"url": url}))
    finally:
        await permissive.close()
        await strict.close()
    assert ok.kind is ResultKind.SUCCESS, ok.error
    assert no.kind is ResultKind.FAIL
    assert (
        no.error == "payload.url: localhost is a loopback name; private addresses are not allowed"
    )


async def test_the_http_section_of_the_config_reaches_the_executor(serve, tmp_path):
    server_tls, _ = make_certificates(tmp_path, NAME)

    async def merchant(request: web.Request) -> web.StreamResponse:
        return web.Response(text="success")

    port = await serve(merchant, ssl_context=server_tls)
    config = tmp_path / "ringback.toml"
    config.write_text(
        '[http]\nallowed_hosts = ["127.0.0.1"]\nca_file = "ca.pem"\nkeepalive_idle = "2s"\n'
        'connection_limit = 7\ndns_cache_ttl = "0s"\nmax_timeout = "1m"\n'
    )
    settings = ensure_secrets(load_settings(config, env={}))
    options = http_options(settings)
    assert options.allowed_hosts == frozenset({"127.0.0.1"})
    assert (options.keepalive_idle, options.connection_limit) == (timedelta(seconds=2), 7)
    assert (options.dns_cache_ttl, options.max_timeout) == (timedelta(0), timedelta(minutes=1))
    dns = TableDns({NAME: ["127.0.0.1"], "intranet.invalid": ["10.1.2.3"]})
    executor = HttpExecutor(options, resolver=dns)
    try:
        # The private CA from ca_file is trusted, and 127.0.0.1 is allowed by name.
        ok = await deliver(executor, {"url": f"https://{NAME}:{port}/hook"})
        refused = await executor.execute(running_http_job({"url": "https://intranet.invalid/hook"}))
    finally:
        await executor.close()
    assert ok.kind is ResultKind.SUCCESS, ok.error
    assert refused.kind is ResultKind.FAIL
    assert refused.error is not None and "10.1.2.3" in refused.error
