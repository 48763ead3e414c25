"""A reconciliation as stored (namespace ``statements.report``) and the alert it raises.

The stored document is ``Report.to_json()`` plus where it came from: the file's hash, the
ledger used and when it ran. The CSV form is rendered from it on demand.

When a reconciliation has breaks and ``[alerts] callback_url`` is set, an alert job is
enqueued in the same transaction as the report: an HTTP callback like the dead-job
alerts (same queue, policy, label and signing), keyed by source, date, file and the
break counts, so the same result never alerts twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ringback.core.alerts import ALERT_LABEL, ALERT_POLICY, ALERT_QUEUE
from ringback.core.jobs import JobKind, JsonObject
from ringback.core.service.requests import SubmitRequest
from ringback.core.store.contract import Record, RecordWrite, WriteMode

from ..reconcile import Category, Report, items_to_csv
from .pull import NS_REPORT, pull_key
from .source import day_ref_time

EVENT_TYPE = "statement.breaks"


@dataclass(frozen=True, slots=True)
class StoredReport:
    source: str
    day: date
    file_sha256: str
    ledger: str
    reconciled_at: datetime
    report: JsonObject  # Report.to_json()
    version: int = 0

    def summary(self) -> JsonObject:
        categories = self.report["categories"]
        return {
            "clean": self.report["clean"],
            "breaks": sum(
                categories[c.value]["count"]
                for c in Category
                if c not in (Category.MATCHED, Category.PENDING)
            ),
            "pending": categories[Category.PENDING.value]["count"],
            "ledger": self.ledger,
            "reconciled_at": self.reconciled_at.astimezone(UTC).isoformat(),
        }

    def break_counts(self) -> dict[str, int]:
        categories = self.report["categories"]
        return {
            c.value: categories[c.value]["count"]
            for c in Category
            if c not in (Category.MATCHED, Category.PENDING) and categories[c.value]["count"]
        }

    def to_csv(self) -> str:
        return items_to_csv(self.report["items"])

    def write(self) -> RecordWrite:
        record = Record(
            namespace=NS_REPORT,
            key=pull_key(self.source, self.day),
            data={
                "source": self.source,
                "date": self.day.isoformat(),
                "file_sha256": self.file_sha256,
                "ledger": self.ledger,
                "reconciled_at": self.reconciled_at.astimezone(UTC).isoformat(),
                "report": self.report,
            },
            ref_time=day_ref_time(self.day),
            group=self.source,
        )
        # The newest reconciliation of a day replaces the previous one, whoever ran it.
        return RecordWrite(record, WriteMode.UPSERT)


def stored_report(
    source: str, day: date, sha256: str, ledger: str, at: datetime, report: Report
) -> StoredReport:
    return StoredReport(source, day, sha256, ledger, at, report.to_json())


def report_of(record: Record) -> StoredReport:
    data = record.data
    return StoredReport(
        source=data["source"],
        day=date.fromisoformat(data["date"]),
        file_sha256=data["file_sha256"],
        ledger=data["ledger"],
        reconciled_at=datetime.fromisoformat(data["reconciled_at"]),
        report=data["report"],
        version=record.version,
    )


def breaks_alert(callback_url: str, stored: StoredReport) -> SubmitRequest:
    counts = stored.break_counts()
    fingerprint = hashlib.sha256(
        json.dumps([stored.file_sha256, stored.ledger, counts], sort_keys=True).encode()
    ).hexdigest()[:16]
    body: dict[str, Any] = {
        "type": EVENT_TYPE,
        "source": stored.source,
        "date": stored.day.isoformat(),
        "file_sha256": stored.file_sha256,
        "ledger": stored.ledger,
        "breaks": counts,
        "bridge": stored.report["bridge"],
        "at": stored.reconciled_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    return SubmitRequest(
        kind=JobKind.HTTP,
        payload={"url": callback_url, "method": "POST", "json": body},
        policy=ALERT_POLICY,
        key=f"alert-statement-{stored.source}-{stored.day.isoformat()}-{fingerprint}",
        queue=ALERT_QUEUE,
        labels={ALERT_LABEL: "1"},
    )
