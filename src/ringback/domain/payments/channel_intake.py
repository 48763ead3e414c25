"""Receiving one channel notification: verify, deduplicate, check, store, answer.

The answer that makes a channel stop resending is given only after the store has
committed — in one transaction — the channel notification, the order's new state
and, when the status changed, the merchant notification job. Anything that goes
wrong before that answers "try again", and the channel's own resend is the retry.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from datetime import datetime

from ringback.core.clock import Clock
from ringback.core.errors import Conflict, StoreError
from ringback.core.service import JobService
from ringback.core.store.contract import Record, RecordWrite, Store, WriteMode
from ringback.domain.payments.audit import notification_record, rejection_record, seen_again
from ringback.domain.payments.channel_config import GENERIC
from ringback.domain.payments.channels import (
    ChannelAnswer,
    ChannelNotification,
    ChannelRejected,
    ChannelVerifier,
)
from ringback.domain.payments.channels.alipay import alipay_answer
from ringback.domain.payments.channels.generic import generic_fail_answer
from ringback.domain.payments.channels.wechatpay import wechatpay_fail_answer
from ringback.domain.payments.config import PaymentsConfig
from ringback.domain.payments.group_commit import GroupWriter
from ringback.domain.payments.intake import Accepted, Refused, decide
from ringback.domain.payments.locks import OrderLocks
from ringback.domain.payments.merchant import MerchantApp
from ringback.domain.payments.merchant_job import notification_request
from ringback.domain.payments.orders import Order
from ringback.domain.payments.repository import PaymentsRepository, order_write

log = logging.getLogger("ringback.payments")

# Another process changing the same order between our read and write makes the write
# fail as a whole (version check); reading again and deciding again settles it.
MAX_CONFLICT_RETRIES = 3


def unavailable_answer(channel: str) -> ChannelAnswer:
    """ "Not stored, send it again later", in the channel's own words."""
    message = "temporarily unable to record the notification; please resend"
    if channel == "alipay":
        return alipay_answer(False)
    if channel == "wechatpay":
        return wechatpay_fail_answer(message, status_code=500)
    return generic_fail_answer("unavailable", message, status_code=503)


class ChannelIntake:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        config: PaymentsConfig,
        jobs: JobService,
        locks: OrderLocks,
    ) -> None:
        self._store = store
        self._clock = clock
        self._config = config
        self._jobs = jobs
        self._repo = PaymentsRepository(store)
        self._writer = GroupWriter(store)
        self._lock = locks

    async def accept(
        self, verifier: ChannelVerifier, headers: Mapping[str, str], body: bytes
    ) -> ChannelAnswer:
        now = self._clock.now()
        channel = verifier.channel
        try:
            try:
                notification = verifier.verify(headers, body, now)
            except ChannelRejected as rejected:
                await self._audit(
                    rejection_record(
                        channel,
                        headers,
                        body,
                        reason_code=rejected.reason_code,
                        message=rejected.message,
                        field=rejected.field,
                        received_at=now,
                    )
                )
                log.info("%s notification rejected: %s", channel, rejected.reason_code)
                return verifier.reject_answer(rejected)
            return await self._accept_verified(verifier, notification, headers, now)
        except Exception:
            log.exception("%s notification could not be recorded", channel)
            return unavailable_answer(channel)

    async def _accept_verified(
        self,
        verifier: ChannelVerifier,
        n: ChannelNotification,
        headers: Mapping[str, str],
        now: datetime,
    ) -> ChannelAnswer:
        async with self._lock(n.order_no):
            for _ in range(MAX_CONFLICT_RETRIES):
                if await self._repo.notification(n.dedup_key) is not None:
                    # A resend of what is already recorded: nothing changes, nobody is
                    # notified again, and the channel may stop.
                    return verifier.accept_answer()
                resolved = await self._resolve(n)
                if isinstance(resolved, Refused):
                    return await self._refuse(verifier, n, headers, resolved, None, now)
                app, order = resolved
                outcome = decide(app, order, n, now=now)
                if isinstance(outcome, Refused):
                    return await self._refuse(verifier, n, headers, outcome, app.app_id, now)
                try:
                    await self._record(app, n, headers, outcome, now)
                except Conflict:
                    continue
                log.info(
                    "%s notification %s for %s accepted: %s",
                    n.channel,
                    n.dedup_key,
                    outcome.after.key,
                    outcome.after.status.value,
                )
                return verifier.accept_answer()
        raise StoreError(f"order {n.order_no} kept changing while recording a notification")

    async def _record(
        self,
        app: MerchantApp,
        n: ChannelNotification,
        headers: Mapping[str, str],
        outcome: Accepted,
        now: datetime,
    ) -> None:
        notice = outcome.new_notice
        jobs = []
        if notice is not None:
            request = notification_request(app, outcome.after, notice.status, now=now)
            jobs.append(self._jobs.validate(request))
        record = notification_record(
            n,
            app_id=app.app_id,
            headers=headers,
            received_at=now,
            status_changed=notice is not None,
            notification_id=None if notice is None else notice.notification_id,
        )
        await self._writer.write(
            records=[RecordWrite(record, WriteMode.INSERT), order_write(outcome.after)],
            jobs=jobs,
            now=now,
        )

    async def _resolve(self, n: ChannelNotification) -> tuple[MerchantApp, Order | None] | Refused:
        """The merchant app (and its order, if registered) a notification belongs to."""
        if n.channel == GENERIC:
            candidates: tuple[str, ...] = (n.app_id,)  # the sender names the app itself
        else:
            candidates = self._config.apps_for_channel(n.channel)
        if not candidates:
            return Refused("no_app", f"no merchant app takes {n.channel} payments", ())
        for app_id in candidates:
            order = await self._repo.order(app_id, n.order_no)
            if order is not None:
                return self._config.app(app_id), order
        if len(candidates) == 1:
            return self._config.app(candidates[0]), None  # decide() checks unregistered
        open_apps = [a for a in candidates if self._config.app(a).allow_unregistered_orders]
        if len(open_apps) == 1:
            return self._config.app(open_apps[0]), None
        if not open_apps:
            return Refused(
                "unknown_order", f"no order {n.order_no} is registered for {n.channel}", ()
            )
        return Refused(
            "ambiguous_app",
            f"order {n.order_no} is unregistered and several apps accept unregistered orders",
            (),
        )

    async def _refuse(
        self,
        verifier: ChannelVerifier,
        n: ChannelNotification,
        headers: Mapping[str, str],
        refused: Refused,
        app_id: str | None,
        now: datetime,
    ) -> ChannelAnswer:
        await self._audit(
            rejection_record(
                n.channel,
                headers,
                n.raw,
                reason_code=refused.reason_code,
                message=refused.message,
                field=refused.mismatches[0].field if refused.mismatches else None,
                received_at=now,
                mismatches=refused.mismatches,
                notification=n,
                app_id=app_id,
            )
        )
        log.info("%s notification %s refused: %s", n.channel, n.dedup_key, refused.reason_code)
        rejected = ChannelRejected(refused.reason_code, refused.message)
        return verifier.reject_answer(rejected)

    async def _audit(self, record: Record) -> None:
        result = await self._writer.write(
            records=[RecordWrite(record, WriteMode.INSERT)], now=record.ref_time
        )
        [stored] = result.records
        if stored.created:
            return
        again = seen_again(stored.record, at=record.ref_time)
        # A concurrent arrival of the same request may win the version check: the
        # count is a hint, the first sighting is what matters.
        with contextlib.suppress(Conflict):
            await self._store.write(
                records=[
                    RecordWrite(again, WriteMode.REPLACE, expect_version=stored.record.version)
                ],
                now=record.ref_time,
            )
