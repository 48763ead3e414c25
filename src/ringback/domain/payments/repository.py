"""Orders, channel notifications and rejections as the core's ``Record`` documents.

| namespace               | key                      | group      | ref_time        |
|-------------------------|--------------------------|------------|-----------------|
| ``payments.order``        | ``<app>:<order_no>``       | app id     | when created    |
| ``payments.notification`` | the channel's dedup key  | app id     | when received   |
| ``payments.rejected``     | channel:reason:body hash | channel    | first seen      |

Pages go newest first; a cursor is the (ref_time, key) of the last item shown,
encoded as opaque text for the API and the CLI.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ringback.core.errors import InvalidInput
from ringback.core.store.contract import Record, RecordWrite, Store, WriteMode
from ringback.domain.payments.audit import NS_NOTIFICATION, NS_REJECTED
from ringback.domain.payments.orders import Order, order_from_data, order_key, order_to_data

NS_ORDER = "payments.order"
MAX_PAGE = 500
# A filtered listing (e.g. by status) reads at most this many store pages per call,
# then hands back a cursor, so one request never scans the whole history.
MAX_SCANNED_PAGES = 20


@dataclass(frozen=True, slots=True)
class Page:
    records: list[Record]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive


def encode_cursor(record: Record) -> str:
    raw = json.dumps([record.ref_time.isoformat(), record.key], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(text: str | None) -> tuple[datetime, str] | None:
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        when, key = json.loads(raw)
        parsed = datetime.fromisoformat(when)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidInput("cursor is the next_cursor of a previous page", field="cursor") from None
    if parsed.tzinfo is None or not isinstance(key, str):
        raise InvalidInput("cursor is the next_cursor of a previous page", field="cursor")
    return parsed, key


def order_record(order: Order) -> Record:
    return Record(
        namespace=NS_ORDER,
        key=order.key,
        data=order_to_data(order),
        ref_time=order.created_at,
        group=order.app_id,
    )


def order_write(order: Order) -> RecordWrite:
    """Create a new order, or replace the version it was read at (so two concurrent
    changes of one order cannot both win)."""
    if order.version == 0:
        return RecordWrite(order_record(order), WriteMode.INSERT)
    return RecordWrite(order_record(order), WriteMode.REPLACE, expect_version=order.version)


def order_of(record: Record) -> Order:
    return order_from_data(record.data, version=record.version)


class PaymentsRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def order(self, app_id: str, order_no: str) -> Order | None:
        record = await self._store.get_record(NS_ORDER, order_key(app_id, order_no))
        return None if record is None else order_of(record)

    async def notification(self, dedup_key: str) -> Record | None:
        return await self._store.get_record(NS_NOTIFICATION, dedup_key)

    async def rejection(self, key: str) -> Record | None:
        return await self._store.get_record(NS_REJECTED, key)

    async def page(
        self,
        namespace: str,
        *,
        group: str | None,
        period: TimeRange,
        limit: int,
        cursor: str | None,
        keep: Callable[[Record], bool] | None = None,
    ) -> Page:
        """Newest first, ``limit`` records that ``keep`` accepts, and the next cursor."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
        for name, when in (("from", period.start), ("to", period.end)):
            if when is not None and when.tzinfo is None:
                raise InvalidInput("time needs a timezone, e.g. 2026-01-01T00:00:00Z", field=name)
        before = decode_cursor(cursor)
        found: list[Record] = []
        for _ in range(MAX_SCANNED_PAGES):
            batch = await self._store.list_records(
                namespace,
                group=group,
                ref_from=period.start,
                ref_to=period.end,
                limit=limit,
                before=before,
            )
            for record in batch:
                if keep is None or keep(record):
                    found.append(record)
                    if len(found) == limit:
                        return Page(found, encode_cursor(record))
            if len(batch) < limit:
                return Page(found, None)
            before = (batch[-1].ref_time, batch[-1].key)
        # Scanned enough for one call: the next one continues after the last record seen.
        return Page(found, None if before is None else encode_cursor(_marker(before)))

    async def count(self, namespace: str, *, group: str | None, period: TimeRange) -> int:
        return await self._store.count_records(
            namespace, group=group, ref_from=period.start, ref_to=period.end
        )


def _marker(position: tuple[datetime, str]) -> Record:
    return Record(namespace="", key=position[1], data={}, ref_time=position[0])
