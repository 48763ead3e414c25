"""The payments feature as one service, shared by the API, the CLI and the demo.

``PaymentsService`` registers orders, takes channel notifications (see
``channel_intake``), answers what an order's status is and what happened to its
notifications, and lets an operator send notifications again (see ``resend``).
Merchant notifications are ordinary HTTP jobs built through ``JobService.validate``,
so they pass exactly the checks any submitted job passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ringback.core.clock import Clock
from ringback.core.errors import ConfigError, InvalidInput, NotFound
from ringback.core.jobs import Job, JobKind
from ringback.core.service import JobDetail, JobService, SubmitRequest
from ringback.core.store.contract import Record, Store
from ringback.domain.payments.audit import NS_NOTIFICATION, NS_REJECTED
from ringback.domain.payments.channel_intake import ChannelIntake
from ringback.domain.payments.channels import ChannelAnswer
from ringback.domain.payments.config import PaymentsConfig, secret_name
from ringback.domain.payments.locks import OrderLocks
from ringback.domain.payments.merchant import MerchantApp
from ringback.domain.payments.money import Money
from ringback.domain.payments.orders import (
    MerchantNotice,
    Order,
    check_order_no,
    new_order,
    same_registration,
)
from ringback.domain.payments.repository import (
    NS_ORDER,
    Page,
    PaymentsRepository,
    TimeRange,
    order_of,
    order_write,
)
from ringback.domain.payments.resend import Resender
from ringback.domain.payments.status import PaymentStatus

DEFAULT_PAGE = 50
ANY_TIME = TimeRange()


@dataclass(frozen=True, slots=True)
class NoticeDetail:
    notice: MerchantNotice
    jobs: list[JobDetail]  # one per job key still stored, the first one first


@dataclass(frozen=True, slots=True)
class OrderDetail:
    order: Order
    channel_notifications: list[Record]  # oldest first
    notices: list[NoticeDetail]


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: list[Order]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class NewOrder:
    """An order as the merchant registers it (amount in minor units)."""

    app_id: str
    order_no: str
    amount_minor: int
    currency: str
    notify_url: str | None = None  # overrides the app's notify URL for this order
    attach: str | None = None  # the merchant's own data, echoed in the notification
    channel: str | None = None  # the channel the buyer will pay through, if known


class PaymentsService:
    def __init__(
        self, store: Store, clock: Clock, config: PaymentsConfig, jobs: JobService
    ) -> None:
        self._store = store
        self._clock = clock
        self._config = config
        self._jobs = jobs
        self._repo = PaymentsRepository(store)
        self._lock = OrderLocks()
        self._intake = ChannelIntake(store, clock, config, jobs, self._lock)
        self._resender = Resender(store, clock, config, jobs)
        self._check_apps()

    @property
    def config(self) -> PaymentsConfig:
        return self._config

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels configured to send notifications."""
        return tuple(self._config.channels)

    # -- orders -------------------------------------------------------------------
    async def register_order(self, new: NewOrder) -> tuple[Order, bool]:
        """Register an order; ``(order, created)``. Registering the same order again
        returns it unchanged (created=False); another amount or URL is a Conflict."""
        app = self._known_app(new.app_id)
        wanted = new_order(
            app_id=app.app_id,
            order_no=check_order_no(new.order_no),
            amount=Money(new.amount_minor, new.currency),
            now=self._clock.now(),
            notify_url=self._check_notify_url(app, new.notify_url),
            attach=_optional_text(new.attach, "attach"),
            channel=_check_channel(app, new.channel),
        )
        async with self._lock(wanted.order_no):
            existing = await self._repo.order(app.app_id, wanted.order_no)
            if existing is not None:
                return await self._register_again(existing, wanted), False
            result = await self._store.write(records=[order_write(wanted)], now=wanted.created_at)
            [stored] = result.records
            if stored.created:
                return order_of(stored.record), True
            # Registered by another process a moment ago: the same rules apply.
            return await self._register_again(order_of(stored.record), wanted), False

    async def _register_again(self, existing: Order, wanted: Order) -> Order:
        adopted = same_registration(existing, wanted)
        if adopted is None:
            return existing
        result = await self._store.write(records=[order_write(adopted)], now=self._clock.now())
        return order_of(result.records[0].record)

    async def order_status(self, app_id: str, order_no: str) -> OrderDetail:
        """The order, the channel notifications that reached it, and every merchant
        notification job with its attempts."""
        self._config.app(app_id)
        order = await self._repo.order(app_id, order_no)
        if order is None:
            raise NotFound(f"order {order_no} of app {app_id} not found", field="order_no")
        received = []
        for dedup_key in order.channel_notifications:
            record = await self._repo.notification(dedup_key)
            if record is not None:
                received.append(record)
        notices = []
        for notice in order.notices:
            details = []
            for key in notice.job_keys:
                job = await self._store.get_job_by_key(key)
                if job is not None:
                    details.append(JobDetail(job, await self._store.list_attempts(job.id)))
            notices.append(NoticeDetail(notice, details))
        return OrderDetail(order, received, notices)

    async def list_orders(
        self,
        *,
        app_id: str | None = None,
        status: PaymentStatus | None = None,
        period: TimeRange = ANY_TIME,
        limit: int = DEFAULT_PAGE,
        cursor: str | None = None,
    ) -> OrderPage:
        """Newest first, optionally of one app, in one status, created in ``period``."""
        if app_id is not None:
            self._config.app(app_id)
        wanted = None if status is None else status.value
        page = await self._repo.page(
            NS_ORDER,
            group=app_id,
            period=period,
            limit=limit,
            cursor=cursor,
            keep=None if wanted is None else (lambda r: r.data.get("status") == wanted),
        )
        return OrderPage([order_of(r) for r in page.records], page.next_cursor)

    # -- channel notifications ----------------------------------------------------------
    async def accept_channel_notification(
        self, channel: str, headers: Mapping[str, str], body: bytes
    ) -> ChannelAnswer:
        """Verify and record one notification; the answer the channel expects.

        Success is answered only once everything is committed; a store failure is
        answered with the channel's "try again" (it resends), never raised.
        """
        verifier = self._config.verifier(channel)
        if verifier is None:
            raise NotFound(f"channel {channel[:32]!r} is not configured", field="channel")
        return await self._intake.accept(verifier, headers, body)

    async def list_notifications(
        self,
        *,
        app_id: str | None = None,
        period: TimeRange = ANY_TIME,
        limit: int = DEFAULT_PAGE,
        cursor: str | None = None,
    ) -> Page:
        """Accepted channel notifications, newest first."""
        return await self._repo.page(
            NS_NOTIFICATION, group=app_id, period=period, limit=limit, cursor=cursor
        )

    async def list_rejected(
        self,
        *,
        channel: str | None = None,
        period: TimeRange = ANY_TIME,
        limit: int = DEFAULT_PAGE,
        cursor: str | None = None,
    ) -> Page:
        """The audit log of refused channel requests, newest first."""
        return await self._repo.page(
            NS_REJECTED, group=channel, period=period, limit=limit, cursor=cursor
        )

    # -- operator actions ---------------------------------------------------------------
    async def resend(self, app_id: str, order_no: str) -> Job:
        async with self._lock(order_no):
            return await self._resender.resend(app_id, order_no)

    async def resend_dead(self, app_id: str, since: datetime) -> int:
        return await self._resender.resend_dead(app_id, since)

    # -- checks -------------------------------------------------------------------------
    def _known_app(self, app_id: object) -> MerchantApp:
        if not isinstance(app_id, str) or app_id not in self._config.apps:
            known = ", ".join(sorted(self._config.apps))
            raise InvalidInput(f"unknown merchant app (configured: {known})", field="app_id")
        return self._config.apps[app_id]

    def _check_apps(self) -> None:
        """Each app's notification job must be one the HTTP executor accepts (its URL
        against the private-address rule, its secret known by name): refused at start
        rather than at the first payment."""
        for index, app in enumerate(self._config.apps.values()):
            try:
                self._check_notify_url(app, app.notify_url)
            except InvalidInput as exc:
                field = f"payments.apps[{index}].notify_url"
                raise ConfigError(f"{field}: {exc.message}", field=field) from None

    def _check_notify_url(self, app: MerchantApp, url: str | None) -> str | None:
        """An order's own notify URL passes the same checks as any callback URL
        (scheme, host, the private-address rule), now rather than at delivery."""
        if url is None:
            return None
        trial = SubmitRequest(
            kind=JobKind.HTTP,
            payload={"url": url, "signing_secret": secret_name(app.app_id)},
            policy=app.schedule,
        )
        try:
            self._jobs.validate(trial)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="notify_url") from None
        return url


def _optional_text(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    return value


def _check_channel(app: MerchantApp, channel: str | None) -> str | None:
    if channel is not None and channel not in app.allowed_channels:
        allowed = ", ".join(sorted(app.allowed_channels))
        raise InvalidInput(f"app {app.app_id} takes payments through {allowed}", field="channel")
    return channel


__all__ = [
    "NewOrder",
    "NoticeDetail",
    "OrderDetail",
    "OrderPage",
    "PaymentsService",
    "TimeRange",
]
