"""A pull: one source's statement for one date, as kept in the store.

| namespace           | key               | group  | ref_time         | data               |
|---------------------|-------------------|--------|------------------|--------------------|
| ``statements.pull``   | ``<source>:<date>`` | source | the date, 00:00Z | ``Pull.to_data()``   |
| ``statements.report`` | ``<source>:<date>`` | source | the date, 00:00Z | the reconciliation |
| ``statements.gate``   | ``<source>``        | source | last request     | see ``gate.py``      |

The raw file is a blob (content-addressed by SHA-256). Parsed lines are not stored one
record per line: they are parsed again from the blob when asked for (the format used is
kept in the pull), which costs a second or so for a million lines and keeps the store
small. Each pull's attempts are its job's attempts (``job_keys``: the first job, then one
per pull asked for again by hand).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from ringback.core.jobs import JsonObject
from ringback.core.store.contract import Record, RecordWrite, WriteMode

from .source import day_ref_time

NS_PULL = "statements.pull"
NS_REPORT = "statements.report"
PULL_TASK = "statements.pull"
START_TASK = "statements.start"
SOURCE_LABEL = "ringback.statements.source"
DATE_LABEL = "ringback.statements.date"


class PullStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # no request sent yet
    WAITING = "waiting"  # asked; the file was not there yet
    RECEIVED = "received"  # the file is kept and parsed
    FAILED = "failed"  # gave up (deadline) or the file was refused; retry by hand


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    sha256: str
    name: str  # the zip member's name, "" when none
    size_bytes: int
    encoding: str
    container: str
    received_at: datetime
    format: JsonObject  # the format config that parsed it (to parse the blob again)
    lines: int
    declared_count: int | None
    total_minor: int
    declared_total_minor: int | None
    currency: str | None
    account: str | None

    def to_data(self) -> JsonObject:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["received_at"] = _iso(self.received_at)
        return data

    @classmethod
    def from_data(cls, data: JsonObject) -> ReceivedFile:
        values: dict[str, Any] = dict(data)
        values["received_at"] = datetime.fromisoformat(data["received_at"])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Pull:
    source: str
    day: date
    status: PullStatus
    job_keys: tuple[str, ...]
    requests: int = 0  # requests actually sent
    last_request_at: datetime | None = None
    last_answer: str | None = None
    received: ReceivedFile | None = None
    report: JsonObject | None = None  # summary: clean, breaks, pending, ledger
    error: str | None = None
    previous_files: tuple[str, ...] = ()  # hashes of files replaced by a later pull
    version: int = 0  # the record version this was read at; 0 = not stored
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def key(self) -> str:
        return pull_key(self.source, self.day)

    @property
    def job_key(self) -> str:
        return self.job_keys[-1]

    def with_(self, **changes: Any) -> Pull:
        return replace(self, **changes)

    def to_data(self) -> JsonObject:
        return {
            "source": self.source,
            "date": self.day.isoformat(),
            "status": self.status.value,
            "job_keys": list(self.job_keys),
            "requests": self.requests,
            "last_request_at": None if self.last_request_at is None else _iso(self.last_request_at),
            "last_answer": self.last_answer,
            "received": None if self.received is None else self.received.to_data(),
            "report": self.report,
            "error": self.error,
            "previous_files": list(self.previous_files),
        }

    def write(self) -> RecordWrite:
        """Create it, or replace the version it was read at (compare-and-set)."""
        record = Record(
            namespace=NS_PULL,
            key=self.key,
            data=self.to_data(),
            ref_time=day_ref_time(self.day),
            group=self.source,
        )
        if self.version == 0:
            return RecordWrite(record, WriteMode.INSERT)
        return RecordWrite(record, WriteMode.REPLACE, expect_version=self.version)


def pull_of(record: Record) -> Pull:
    data = record.data
    last = data.get("last_request_at")
    received = data.get("received")
    return Pull(
        source=data["source"],
        day=date.fromisoformat(data["date"]),
        status=PullStatus(data["status"]),
        job_keys=tuple(data["job_keys"]),
        requests=int(data.get("requests", 0)),
        last_request_at=None if last is None else datetime.fromisoformat(last),
        last_answer=data.get("last_answer"),
        received=None if received is None else ReceivedFile.from_data(received),
        report=data.get("report"),
        error=data.get("error"),
        previous_files=tuple(data.get("previous_files", ())),
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def pull_key(source: str, day: date) -> str:
    return f"{source}:{day.isoformat()}"


def pull_job_key(source: str, day: date, again: int = 0) -> str:
    base = f"{PULL_TASK}:{source}:{day.isoformat()}"
    return base if again == 0 else f"{base}:again-{again}"


def new_pull(source: str, day: date) -> Pull:
    return Pull(source, day, PullStatus.SCHEDULED, (pull_job_key(source, day),))


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()
