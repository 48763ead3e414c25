"""The API process: the FastAPI app on uvicorn, over the shared service layer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI

from ringback.core.clock import Clock, SystemClock
from ringback.core.config import Settings
from ringback.core.service import JobService
from ringback.core.service.stats import StatsService
from ringback.core.store.contract import Store
from ringback.core.supervisor.child import notify_ready
from ringback.interfaces.api.app import create_app
from ringback.interfaces.dashboard import dashboard_router, secure_cookie_for
from ringback.interfaces.observability.metrics_router import metrics_router
from ringback.interfaces.runtime.components import build_executors, build_store
from ringback.interfaces.runtime.dashboard_payments import PaymentsDashboard
from ringback.interfaces.runtime.dashboard_statements import StatementsDashboard
from ringback.interfaces.runtime.draining import CloseWhenDraining, DrainFlag, DrainingServer
from ringback.interfaces.runtime.loop import run as run_loop
from ringback.interfaces.runtime.payments import wire_payments
from ringback.interfaces.runtime.processes import state_dir
from ringback.interfaces.runtime.statements import wire_statements

log = logging.getLogger("ringback.api")


def build_app(settings: Settings, store: Store, clock: Clock) -> FastAPI:
    service = JobService(store, clock, build_executors(settings))
    metrics = metrics_router(store, clock=clock, state_dir=state_dir(settings))
    payments = wire_payments(settings, store, clock, service)
    statements = wire_statements(settings, store, clock, service)
    dashboard = dashboard_router(
        service,
        StatsService(store, clock),
        token=settings.server.token,
        state_dir=state_dir(settings),
        secure_cookie=secure_cookie_for(settings.server.public_url),
        payments=None if payments.service is None else PaymentsDashboard(payments.service),
        statements=None if statements.service is None else StatementsDashboard(statements.service),
    )
    return create_app(
        service,
        token=settings.server.token,
        extra_routers=[metrics, *payments.extra_routers, *statements.routers],
        public_routers=[*payments.public_routers, dashboard],
    )


def uvicorn_server(app: FastAPI, host: str, port: int) -> uvicorn.Server:
    """uvicorn for ``app``, draining kept-alive clients before it stops (``draining``)."""
    flag = DrainFlag()
    config = uvicorn.Config(
        CloseWhenDraining(app, flag),
        host=host,
        port=port,
        log_config=None,  # ringback's own logging set-up applies
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    return DrainingServer(config, flag)


def run_api(settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT (uvicorn's own graceful shutdown); return 0."""
    run_loop(_api_main(settings))
    return 0


async def _api_main(settings: Settings) -> None:
    async with _opened_store(settings) as store:
        app = build_app(settings, store, SystemClock())
        server = uvicorn_server(app, settings.server.host, settings.server.port)
        listener = reusable_socket(settings.server.host, settings.server.port)
        serving = asyncio.create_task(server.serve(sockets=[listener]))
        # uvicorn has no start-up event to await; this polls only while it binds.
        while not server.started and not serving.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if server.started:
            notify_ready()
            log.info("API listening on http://%s:%s", settings.server.host, settings.server.port)
        await serving


def reusable_socket(host: str, port: int) -> socket.socket:
    """A listening socket with SO_REUSEPORT, so that on SIGHUP the replacement API
    process can bind the port while the old one still serves (no gap, no refusal)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


@contextlib.asynccontextmanager
async def _opened_store(settings: Settings) -> AsyncIterator[Store]:
    store = build_store(settings)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
