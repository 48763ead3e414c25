"""Wiring the payments feature in when ``[payments]`` is configured.

Every process reads the section (so a missing key file stops every process at
start): the API mounts the payments and channel routes, and every HTTP executor — in
the API, where jobs are checked, and in the workers, where they are sent — knows each
merchant app's signing secret by the name the jobs carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter

from ringback.core.clock import Clock
from ringback.core.config import Settings
from ringback.core.service import JobService
from ringback.core.store.contract import Store
from ringback.domain.payments.config import PaymentsConfig, parse_payments_config
from ringback.domain.payments.service import PaymentsService
from ringback.interfaces.api.routes_channels import channels_router
from ringback.interfaces.api.routes_payments import payments_router


@dataclass(frozen=True, slots=True)
class PaymentsWiring:
    service: PaymentsService | None = None  # None: payments are not configured
    extra_routers: list[APIRouter] = field(default_factory=list)  # behind the token
    public_routers: list[APIRouter] = field(default_factory=list)  # signed by channels


def payments_config(settings: Settings) -> PaymentsConfig | None:
    """The checked ``[payments]`` section (relative files against the data folder)."""
    return parse_payments_config(settings.payments, base_dir=settings.data_path)


def payments_named_secrets(settings: Settings) -> dict[str, str]:
    config = payments_config(settings)
    return {} if config is None else config.named_secrets()


def wire_payments(
    settings: Settings, store: Store, clock: Clock, jobs: JobService
) -> PaymentsWiring:
    config = payments_config(settings)
    if config is None:
        return PaymentsWiring()
    service = PaymentsService(store, clock, config, jobs)
    return PaymentsWiring(service, [payments_router(service)], [channels_router(service)])
