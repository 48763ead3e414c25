"""The whole service in one event loop: API and a dispatcher over one store.

Used by tests (with an injected clock, so a 25-hour schedule runs in
milliseconds) and by library users who want ringback inside their own process.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType

from ringback.core.clock import Clock, SystemClock
from ringback.core.config import Settings
from ringback.core.dispatcher import Dispatcher, DispatchObserver, LoggingObserver
from ringback.core.executors.base import Executor
from ringback.core.jobs import JobKind
from ringback.core.retention import RetentionSweeper
from ringback.core.service import JobService
from ringback.core.service.stats import StatsService
from ringback.core.store.contract import Store
from ringback.interfaces.api.app import create_app
from ringback.interfaces.dashboard import dashboard_router
from ringback.interfaces.observability.metrics_router import metrics_router
from ringback.interfaces.runtime.api import uvicorn_server
from ringback.interfaces.runtime.components import (
    build_executors,
    build_store,
    dispatcher_options,
)
from ringback.interfaces.runtime.dashboard_payments import PaymentsDashboard
from ringback.interfaces.runtime.dashboard_statements import StatementsDashboard
from ringback.interfaces.runtime.observers import alert_observers
from ringback.interfaces.runtime.payments import wire_payments
from ringback.interfaces.runtime.worker_features import worker_features


@dataclass
class EmbeddedService:
    """``async with EmbeddedService(settings) as svc:`` starts everything; ``svc.url``."""

    settings: Settings
    clock: Clock | None = None
    serve_api: bool = True
    observers: tuple[DispatchObserver, ...] = ()

    def __post_init__(self) -> None:
        self.store: Store = build_store(self.settings)
        self._clock: Clock = self.clock or SystemClock()
        self.executors: dict[JobKind, Executor] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.url = ""

    async def __aenter__(self) -> EmbeddedService:
        await self.store.open()
        self.executors = build_executors(self.settings)
        self.service = JobService(self.store, self._clock, self.executors)
        self.payments = wire_payments(self.settings, self.store, self._clock, self.service)
        self._alerts = alert_observers(self.settings, self.store, self._clock)
        self.features = worker_features(self.settings, self.store, self._clock, self.executors)
        self.dispatcher = Dispatcher(
            self.store,
            self.executors,
            clock=self._clock,
            options=dispatcher_options(self.settings),
            worker_id="embedded",
            observers=[LoggingObserver(), *self.observers, *self._alerts, *self.features.observers],
        )
        self._tasks.append(asyncio.create_task(self.dispatcher.run()))
        self.sweeper = RetentionSweeper(
            self.store,
            self._clock,
            finished_after=self.settings.retention.finished_after,
            batch_size=self.settings.retention.batch_size,
        )
        self._sweeping = asyncio.create_task(self.sweeper.run(), name="ringback-retention")
        self.features.start()
        if self.serve_api:
            await self._start_api()
        return self

    async def _start_api(self) -> None:
        metrics = metrics_router(self.store, clock=self._clock)
        payments = self.payments.service
        statements = self.features.statements.service
        dashboard = dashboard_router(
            self.service,
            StatsService(self.store, self._clock),
            token=self.settings.server.token,
            payments=None if payments is None else PaymentsDashboard(payments),
            statements=None if statements is None else StatementsDashboard(statements),
        )
        app = create_app(
            self.service,
            token=self.settings.server.token,
            extra_routers=[
                metrics,
                *self.payments.extra_routers,
                *self.features.statements.routers,
            ],
            public_routers=[*self.payments.public_routers, dashboard],
        )
        self._server = uvicorn_server(app, self.settings.server.host, self.settings.server.port)
        self._tasks.append(asyncio.create_task(self._server.serve()))
        # uvicorn has no start-up event to await; this polls only while it binds.
        while not self._server.started:
            if self._tasks[-1].done():
                self._tasks[-1].result()  # raises why it stopped
            await asyncio.sleep(0.005)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{self.settings.server.host}:{port}"

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.serve_api:
            self._server.should_exit = True
        self.dispatcher.stop(timedelta(seconds=5))
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._sweeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._sweeping  # so the store is not closed under a purge
        await self.features.stop()
        for executor in self.executors.values():
            await executor.close()
        await self.store.close()
