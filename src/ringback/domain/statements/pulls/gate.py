"""The minimum interval between two requests to one source, for the whole deployment.

Before any request the sender reserves the slot in the source's gate record (namespace
``statements.gate``, key = the source) by compare-and-set on the record's version: if the
previous request was less than ``min_interval`` ago it does not send, and learns the
first allowed moment. Two workers, two hosts, a manual trigger and a backfill all go
through the same record, so no two requests are ever closer than the interval, whoever
sends them. A reservation made and then not followed by a request (the worker died in
between) only wastes a slot; it never lets two requests through.

The hosts' clocks are assumed to agree (NTP); a host whose clock runs ahead sends early
by that much, so give ``min_interval`` a margin over the bank's own limit if in doubt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ringback.core.errors import Conflict
from ringback.core.store.contract import Record, RecordWrite, Store, WriteMode

NS_GATE = "statements.gate"
# Losing the compare-and-set means someone else just sent; after a few losses in a row
# the answer is simply "not now".
MAX_RACES = 5


@dataclass(frozen=True, slots=True)
class GateState:
    last_request_at: datetime | None
    holder: str | None  # who sent it: a job key, or "manual"
    version: int = 0

    def next_allowed(self, min_interval: timedelta) -> datetime | None:
        return None if self.last_request_at is None else self.last_request_at + min_interval


def wait_until(state: GateState, min_interval: timedelta, now: datetime) -> datetime | None:
    """None when a request may go now; else the first moment it may."""
    allowed = state.next_allowed(min_interval)
    return None if allowed is None or now >= allowed else allowed


class RequestGate:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def state(self, source: str) -> GateState:
        record = await self._store.get_record(NS_GATE, source)
        return _state(record)

    async def reserve(
        self, source: str, min_interval: timedelta, now: datetime, *, holder: str
    ) -> datetime | None:
        """Take the slot at ``now`` (None), or return when the next slot opens."""
        for _ in range(MAX_RACES):
            record = await self._store.get_record(NS_GATE, source)
            state = _state(record)
            later = wait_until(state, min_interval, now)
            if later is not None:
                return later
            taken = Record(
                namespace=NS_GATE,
                key=source,
                data={"last_request_at": now.astimezone(UTC).isoformat(), "holder": holder},
                ref_time=now,
                group=source,
            )
            if record is None:
                write = RecordWrite(taken, WriteMode.INSERT)
            else:
                write = RecordWrite(taken, WriteMode.REPLACE, expect_version=record.version)
            try:
                result = await self._store.write(records=[write], now=now)
            except Conflict:
                continue  # someone reserved first: read what they wrote, decide again
            if result.records[0].created or record is not None:
                return None
        return now + min_interval


def _state(record: Record | None) -> GateState:
    if record is None:
        return GateState(None, None)
    return GateState(
        last_request_at=datetime.fromisoformat(record.data["last_request_at"]),
        holder=record.data.get("holder"),
        version=record.version,
    )
