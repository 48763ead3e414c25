"""The parts of a statements test: the simulated bank on loopback, a statements config
pointed at it, and "workers" (store connection, dispatcher, periodic scheduler) in the
test's event loop, all on one injected clock and one SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from ringback.core.alerts import AlertObserver
from ringback.core.clock import FakeClock
from ringback.core.dispatcher import Dispatcher, DispatcherOptions
from ringback.core.executors.base import Executor
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret
from ringback.core.executors.task import TaskExecutor, TaskRegistry
from ringback.core.jobs import Job, JobKind
from ringback.core.periodic import PeriodicScheduler
from ringback.core.service import JobService
from ringback.core.store.contract import JobFilter, Store
from ringback.core.store.sqlite import SqliteStore
from ringback.domain.statements import StatementLine
from ringback.domain.statements.pulls import (
    SOURCE_LABEL,
    Pull,
    PullFailureObserver,
    StatementHooks,
    StatementPuller,
    StatementsConfig,
    StatementsService,
    install_tasks,
    parse_statements_config,
    statement_schedules,
)
from ringback.domain.statements.simulator import (
    SIMULATOR_FORMAT,
    STATEMENT_PATH,
    BankRequest,
    bank_requests,
    create_bank_app,
)
from tests.integration.store_backends import Database

DAY = date(2026, 11, 23)
MIDNIGHT = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 24 November 00:00 in Shanghai
TICK = MIDNIGHT + timedelta(minutes=30)  # the daily pull: 00:30 Shanghai
DEADLINE = MIDNIGHT + timedelta(hours=12)  # 12:00 Shanghai on the pull day
MIN = timedelta(minutes=1)
MERCHANT = "898310048160001"


def line(n: int, amount_minor: int, status: str = "paid", **extra: Any) -> StatementLine:
    """A statement line of ``DAY`` (09:00 Shanghai + n minutes)."""
    at = MIDNIGHT - timedelta(hours=15) + timedelta(minutes=n)
    return StatementLine(
        line_no=0,
        order_no=extra.get("order_no", f"T2026112300{n:04d}"),
        channel_txn_no=extra.get("txn", f"B2026112300{n:06d}"),
        amount_minor=amount_minor,
        currency="CNY",
        status=status,
        occurred_at=at,
        raw="",
        refund_no=extra.get("refund_no"),
    )


@dataclass
class BankServer:
    app: web.Application
    url: str

    @property
    def requests(self) -> list[BankRequest]:
        return bank_requests(self.app)

    def times(self) -> list[datetime]:
        return [request.at for request in self.requests]


@contextlib.asynccontextmanager
async def bank_server(
    clock: FakeClock,
    *,
    ready_at: datetime,
    statements: Mapping[date, bytes | Sequence[StatementLine]],
    min_interval: timedelta = timedelta(minutes=30),
) -> AsyncIterator[BankServer]:
    app = create_bank_app(
        clock, ready_at=ready_at, statements=statements, min_interval=min_interval
    )
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield BankServer(app, f"http://127.0.0.1:{port}{STATEMENT_PATH}")
    finally:
        await runner.cleanup()


def source_table(url: str, **overrides: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "kind": "http",
        "url": url,
        "method": "POST",
        "json": {"merchant": MERCHANT, "date": "{date}"},
        "file": "file",
        "not_ready": {"field": "code", "equals": "9999"},
        "too_frequent": {"field": "code", "equals": "1001"},
        "ready": {"field": "code", "equals": "0000"},
        "schedule": "30 0 * * *",
        "tz": "Asia/Shanghai",
        "day_offset": -1,
        "min_interval": "30m",
        "deadline": "12:00",
        "format": SIMULATOR_FORMAT,
        "ledger": "none",
        "timeout": "5s",
    }
    table.update(overrides)
    return table


def statements_config(
    url: str, base_dir: Path, name: str = "bank", **overrides: Any
) -> StatementsConfig:
    config = parse_statements_config(
        {"sources": {name: source_table(url, **overrides)}}, base_dir=base_dir
    )
    assert config is not None
    return config


@dataclass
class RecordingHooks:
    pulls: list[tuple[str, str]] = field(default_factory=list)
    breaks: dict[str, int] = field(default_factory=dict)
    alert_url: str = ""

    def hooks(self) -> StatementHooks:
        return StatementHooks(
            pull_result=lambda source, result: self.pulls.append((source, result)),
            breaks_found=self._count,
            alert_url=self.alert_url,
        )

    def _count(self, source: str, category: str, count: int) -> None:
        self.breaks[category] = self.breaks.get(category, 0) + count


@dataclass
class Worker:
    """What one worker process runs, in the test's loop."""

    name: str
    store: Store
    service: StatementsService
    jobs: JobService
    dispatcher: Dispatcher
    scheduler: PeriodicScheduler


def http_executor() -> HttpExecutor:
    return HttpExecutor(
        HttpOptions(allow_private=True, signing_secret=generate_secret(), timeout=MIN)
    )


def store_at(where: Path | Database) -> Store:
    """A new store on a SQLite file, or on the test's database (SQLite or PostgreSQL)."""
    return SqliteStore(where) if isinstance(where, Path) else where.make()


@contextlib.asynccontextmanager
async def worker(
    where: Path | Database,
    clock: FakeClock,
    config: StatementsConfig,
    *,
    name: str = "w1",
    hooks: RecordingHooks | None = None,
    alert_url: str = "",
) -> AsyncIterator[Worker]:
    store = store_at(where)
    await store.open()
    recorded = (hooks or RecordingHooks()).hooks()
    registry = TaskRegistry()
    executors: dict[JobKind, Executor] = {
        JobKind.TASK: TaskExecutor(registry),
        JobKind.HTTP: http_executor(),
    }
    jobs = JobService(store, clock, executors)
    puller = StatementPuller(store, clock, config, hooks=recorded, jobs=jobs)
    install_tasks(registry, puller)
    failures = PullFailureObserver(store, clock, recorded)
    observers: list[Any] = [failures]
    if alert_url:
        observers.append(AlertObserver(store, clock, alert_url, http=executors[JobKind.HTTP]))
    dispatcher = Dispatcher(
        store,
        executors,
        clock=clock,
        options=DispatcherOptions(flush_delay=timedelta(0)),
        worker_id=name,
        observers=observers,
    )
    scheduler = PeriodicScheduler(store, clock, statement_schedules(config), jobs=jobs)
    scheduler.check()
    service = StatementsService(store, clock, config, hooks=recorded, jobs=jobs)
    running = [asyncio.create_task(dispatcher.run()), asyncio.create_task(scheduler.run())]
    try:
        yield Worker(name, store, service, jobs, dispatcher, scheduler)
    finally:
        scheduler.stop()
        dispatcher.stop(timedelta(seconds=2))
        await asyncio.gather(*running)
        await failures.drain()
        await puller.close()
        for executor in executors.values():
            await executor.close()
        await store.close()


async def eventually(
    check: Callable[[], Awaitable[bool] | bool], *, what: str = "", timeout_s: float = 10.0
) -> None:
    """Poll (in real time) until ``check`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.003)


async def pull_jobs(store: Store, source: str = "bank") -> list[Job]:
    page = await store.list_jobs(JobFilter(label=(SOURCE_LABEL, source)), limit=500)
    return sorted(page.jobs, key=lambda job: job.id)


async def job_settled(store: Store, key: str, attempts: int) -> Job:
    """The job once it has made ``attempts`` attempts and is no longer running."""
    found: list[Job] = []

    async def check() -> bool:
        job = await store.get_job_by_key(key)
        if job is None or job.attempts < attempts:
            return False
        if job.state.value == "running":
            return False
        found[:] = [job]
        return True

    await eventually(check, what=f"{key} after {attempts} attempts")
    return found[0]


async def stored_pull(service: StatementsService, source: str, day: date) -> Pull:
    detail = await service.show(source, day)
    return detail.pull
