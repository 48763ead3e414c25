"""Wiring statement pulls in when ``[statements]`` is configured.

Every process checks the section at start. The workers register the two tasks, watch
for pull jobs that die, and schedule each source's daily pull; the API mounts
``/v1/statements``. Metrics and alerts reach the domain as plain hooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter

from ringback.core.clock import Clock
from ringback.core.config import Settings
from ringback.core.dispatcher import DispatchObserver
from ringback.core.executors.task import TaskRegistry, default_registry
from ringback.core.periodic import PeriodicSchedule
from ringback.core.service import JobService
from ringback.core.store.contract import Store
from ringback.domain.statements.pulls import (
    PullFailureObserver,
    StatementHooks,
    StatementPuller,
    StatementsConfig,
    StatementsService,
    install_tasks,
    parse_statements_config,
    statement_schedules,
)
from ringback.interfaces.api.routes_statements import statements_router
from ringback.interfaces.observability.metrics_process import (
    count_reconciliation_breaks,
    count_statement_pull,
)


@dataclass
class StatementsWiring:
    service: StatementsService | None = None  # None: no sources configured
    puller: StatementPuller | None = None
    observers: list[DispatchObserver] = field(default_factory=list)
    schedules: list[PeriodicSchedule] = field(default_factory=list)
    routers: list[APIRouter] = field(default_factory=list)

    async def close(self) -> None:
        """After the dispatcher stopped, before the store closes."""
        for observer in self.observers:
            if isinstance(observer, PullFailureObserver):
                await observer.drain()
        if self.puller is not None:
            await self.puller.close()


def statements_config(settings: Settings) -> StatementsConfig | None:
    """The checked ``[statements]`` section (a CSV ledger's path against the data folder)."""
    return parse_statements_config(settings.statements, base_dir=settings.data_path)


def statement_hooks(settings: Settings) -> StatementHooks:
    return StatementHooks(
        pull_result=count_statement_pull,
        breaks_found=count_reconciliation_breaks,
        alert_url=settings.alerts.callback_url,
    )


def wire_statements(
    settings: Settings,
    store: Store,
    clock: Clock,
    jobs: JobService,
    *,
    registry: TaskRegistry = default_registry,
) -> StatementsWiring:
    config = statements_config(settings)
    if config is None:
        return StatementsWiring()
    hooks = statement_hooks(settings)
    service = StatementsService(store, clock, config, hooks=hooks, jobs=jobs)
    puller = StatementPuller(store, clock, config, hooks=hooks, jobs=jobs)
    install_tasks(registry, puller)
    return StatementsWiring(
        service=service,
        puller=puller,
        observers=[PullFailureObserver(store, clock, hooks)],
        schedules=statement_schedules(config),
        routers=[statements_router(service)],
    )
