"""``ringback serve | stop | status`` and the child entry points ``api`` and ``worker``."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from ringback.core.config import Settings, ensure_secrets
from ringback.core.supervisor.child import apply_process_title
from ringback.core.supervisor.pidfile import running_master_pid
from ringback.core.supervisor.spec import ChildSpec
from ringback.core.supervisor.state import read_status
from ringback.core.supervisor.stop import stop_master
from ringback.core.supervisor.supervisor import Supervisor
from ringback.interfaces.cli import exit_codes, output
from ringback.interfaces.cli.commands import Subparsers, add_command, add_json_flag, run_async
from ringback.interfaces.cli.context import config_path, settings_from
from ringback.interfaces.cli.status_view import status_json, status_table
from ringback.interfaces.observability.logs import setup_logging
from ringback.interfaces.observability.metrics_dir import prepare_metrics_dir
from ringback.interfaces.runtime.api import run_api
from ringback.interfaces.runtime.checks import check_features
from ringback.interfaces.runtime.migrate import migrate
from ringback.interfaces.runtime.processes import child_specs, pid_file, state_dir, worker_count
from ringback.interfaces.runtime.worker import run_worker

STOP_POLL_S = 0.05


def register(subparsers: Subparsers) -> None:
    serve = add_command(
        subparsers, "serve", help="run the API and the workers under a supervising master"
    )
    serve.add_argument("--workers", type=int, metavar="N", help="worker processes (default: cores)")
    serve.add_argument("--no-api", action="store_true", help="run workers only (extra hosts)")
    serve.set_defaults(handler=_serve)

    stop = add_command(subparsers, "stop", help="stop a running `ringback serve` gracefully")
    stop.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS")
    stop.set_defaults(handler=_stop)

    status = add_command(subparsers, "status", help="the master, each worker, the queue depth")
    add_json_flag(status)
    status.set_defaults(handler=_status)

    api = add_command(subparsers, "api", help="run the API process alone (started by serve)")
    api.set_defaults(handler=_api)

    worker = add_command(subparsers, "worker", help="run one worker process (started by serve)")
    worker.add_argument("--index", type=int, default=1)
    worker.set_defaults(handler=_worker)


def _prepared(args: argparse.Namespace) -> Settings:
    settings = ensure_secrets(settings_from(args))
    setup_logging(settings.log.format, settings.log.level)
    return settings


def _serve(args: argparse.Namespace) -> int:
    settings = _prepared(args)
    check_features(settings)  # a bad key file or cron line stops here, exit 2, one line
    prepare_metrics_dir(settings)  # before the children start: they inherit the variable
    run_async(migrate(settings))  # once, before any child opens the store
    config = config_path(args)
    workers = worker_count(settings, args.workers)
    specs = child_specs(settings, config, workers, with_api=not args.no_api)
    if not args.no_api:
        # Printed, not logged: the operator needs the token once; logs never carry it.
        print(f"ringback: API on http://{settings.server.host}:{settings.server.port}")
        print(f"ringback: API token {settings.server.token}")
        print(f"ringback: {workers} workers; store {settings.store.url}", flush=True)

    def reload() -> list[ChildSpec]:
        fresh = ensure_secrets(settings_from(args))
        return child_specs(
            fresh, config, worker_count(fresh, args.workers), with_api=not args.no_api
        )

    supervisor = Supervisor(
        specs,
        grace=settings.workers.grace,
        restart_backoff_max=settings.workers.restart_backoff_max,
        pid_file=pid_file(settings),
        state_file=state_dir(settings) / "master.json",
        reload=reload,
    )
    return supervisor.run()


def _api(args: argparse.Namespace) -> int:
    apply_process_title()
    return run_api(_prepared(args))


def _worker(args: argparse.Namespace) -> int:
    apply_process_title()
    return run_worker(_prepared(args), args.index, [])


def _stop(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    pid = running_master_pid(pid_file(settings))
    if pid is None:
        print("ringback: not running (no live master in the pid file)", file=sys.stderr)
        return exit_codes.NOT_FOUND
    if stop_master(pid_file(settings), timedelta(seconds=args.timeout)):
        print(f"ringback: master {pid} stopped")
        return exit_codes.OK
    print(f"ringback: master {pid} still running after {args.timeout:.0f}s", file=sys.stderr)
    return exit_codes.FAILURE


def _status(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    report = read_status(state_dir(settings))
    depth = run_async(_queue_depth(settings))
    if args.json:
        output.print_json(status_json(report, depth))
    else:
        output.console().print(status_table(report, depth))
    return exit_codes.OK if report.running else exit_codes.UNAVAILABLE


async def _queue_depth(settings: Settings) -> int:
    from ringback.core.jobs import JobState
    from ringback.core.store.contract import JobFilter
    from ringback.interfaces.runtime.components import build_store

    store = build_store(settings)
    await store.open()
    try:
        return await store.count_jobs(JobFilter(states=frozenset({JobState.SCHEDULED})))
    finally:
        await store.close()
