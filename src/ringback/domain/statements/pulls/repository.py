"""Reading and changing pulls and reports in the store.

Every change is a compare-and-set on the record's version: read, change, write with the
version read; if someone changed it meanwhile, read again and redo the change. A change
is a pure function of the pull as it is now, so redoing it is always right.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ringback.core.errors import Conflict, InvalidInput, StoreError
from ringback.core.jobs import NewJob
from ringback.core.store.contract import RecordWrite, Store

from .pull import NS_PULL, NS_REPORT, Pull, pull_key, pull_of
from .reports import StoredReport, report_of
from .source import day_ref_time

MAX_RACES = 10
MAX_PAGE = 500

Change = Callable[[Pull], Pull | None]  # None: leave the pull as it is


@dataclass(frozen=True, slots=True)
class PullPage:
    pulls: list[Pull]
    next_cursor: str | None


class PullRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def pull(self, source: str, day: date) -> Pull | None:
        record = await self.store.get_record(NS_PULL, pull_key(source, day))
        return None if record is None else pull_of(record)

    async def report(self, source: str, day: date) -> StoredReport | None:
        record = await self.store.get_record(NS_REPORT, pull_key(source, day))
        return None if record is None else report_of(record)

    async def change(
        self,
        source: str,
        day: date,
        change: Change,
        now: datetime,
        *,
        extra: Callable[[Pull], tuple[Sequence[RecordWrite], Sequence[NewJob]]] | None = None,
    ) -> Pull | None:
        """Apply ``change`` to the stored pull (it must exist); return the pull as stored.

        ``extra`` adds records and jobs to the same transaction, given the changed pull.
        """
        for _ in range(MAX_RACES):
            current = await self.pull(source, day)
            if current is None:
                return None
            changed = change(current)
            if changed is None:
                return current
            records, jobs = ([], []) if extra is None else extra(changed)
            try:
                result = await self.store.write(
                    records=[changed.write(), *records], jobs=jobs, now=now
                )
            except Conflict:
                continue
            return pull_of(result.records[0].record)
        raise StoreError(f"pull {pull_key(source, day)} kept changing under us; try again")

    async def page(
        self,
        *,
        source: str | None,
        first: date | None,
        last: date | None,
        limit: int,
        cursor: str | None,
    ) -> PullPage:
        """Pulls, newest date first, optionally of one source and within [first, last]."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
        records = await self.store.list_records(
            NS_PULL,
            group=source,
            ref_from=None if first is None else day_ref_time(first),
            ref_to=None if last is None else day_ref_time(last + timedelta(days=1)),
            limit=limit,
            before=decode_cursor(cursor),
        )
        pulls = [pull_of(record) for record in records]
        more = len(records) == limit
        return PullPage(
            pulls, encode_cursor(records[-1].ref_time, records[-1].key) if more else None
        )


def encode_cursor(ref_time: datetime, key: str) -> str:
    raw = json.dumps([ref_time.isoformat(), key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str | None) -> tuple[datetime, str] | None:
    if not text:
        return None
    try:
        when, key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        parsed = datetime.fromisoformat(when)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidInput("cursor is the next_cursor of a previous page", field="cursor") from None
    if parsed.tzinfo is None or not isinstance(key, str):
        raise InvalidInput("cursor is the next_cursor of a previous page", field="cursor")
    return parsed, key
