"""Reconciling a received statement: our ledger, the match, the stored report, the alert.

Run automatically after each new file, and by hand (``ringback reconcile``), possibly
against a CSV ledger given then. Matching a million lines takes about a second, so it
runs in a thread and the worker's other jobs carry on meanwhile.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from ringback.core.jobs import NewJob
from ringback.core.periodic import JobPreparer
from ringback.core.store.contract import Store

from ..formats import ParsedStatement
from ..reconcile import reconcile
from .hooks import StatementHooks
from .ledgers import load_ledger
from .reports import StoredReport, breaks_alert, stored_report
from .source import StatementSource


class Reconciliation:
    def __init__(
        self, store: Store, hooks: StatementHooks, jobs: JobPreparer | None = None
    ) -> None:
        self._store = store
        self._hooks = hooks
        self._jobs = jobs

    async def run(
        self,
        source: StatementSource,
        day: date,
        statement: ParsedStatement,
        file_sha256: str,
        now: datetime,
        *,
        ledger_csv: str | None = None,
    ) -> StoredReport:
        """Reconcile (raises InvalidInput when the ledger cannot be read or used)."""
        ours = await load_ledger(
            self._store, source.ledger, day, source.reconcile, csv_text=ledger_csv
        )
        report = await asyncio.to_thread(
            reconcile, statement.lines, ours, day=day, as_of=now, options=source.reconcile
        )
        ledger = "csv (given by hand)" if ledger_csv is not None else source.ledger.describe()
        return stored_report(source.name, day, file_sha256, ledger, now, report)

    def alert_jobs(self, stored: StoredReport, now: datetime) -> list[NewJob]:
        """The breaks alert to enqueue with the report, if there are breaks and a receiver."""
        if stored.report["clean"] or not self._hooks.alert_url or self._jobs is None:
            return []
        return [self._jobs.validate(breaks_alert(self._hooks.alert_url, stored), now=now)]

    def count_breaks(self, stored: StoredReport) -> None:
        for category, count in stored.break_counts().items():
            self._hooks.found_breaks(stored.source, category, count)
