"""Request and response bodies of the HTTP API (these also make the OpenAPI document).

Request models forbid unknown fields, so a typo (``"dealy"``) is an error rather
than a silently ignored option. Durations are strings (``"90s"``, ``"PT10M"``),
times are ISO 8601 with a timezone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ringback.core.durations import parse_duration
from ringback.core.errors import InvalidInput
from ringback.core.jobs import AttemptOutcome, JobKind, JobState

DURATION_DOC = "A duration such as '90s', '10m', '1h30m' or ISO 8601 'PT10M'."
POLICY_DOC = (
    "A preset name (e.g. 'alipay') or a policy object (e.g. "
    '{"type": "schedule", "delays": ["2m", "10m"]}). Defaults to the configured policy.'
)


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    try:
        return parse_duration(value)  # type: ignore[arg-type]  # it checks the type itself
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


# Read with ringback's own parser (one syntax everywhere); documented as a string.
Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    WithJsonSchema({"type": "string", "examples": ["90s", "10m", "PT10M"]}),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubmitJobBody(_Request):
    kind: str = Field(default="http", description="http, task or command.")
    payload: dict[str, Any] = Field(
        description="What to run. For http: url, method, headers, body or json, success_body."
    )
    policy: dict[str, Any] | str | None = Field(default=None, description=POLICY_DOC)
    key: str | None = Field(
        None, description="Idempotency key: a second submit with it returns the first job."
    )
    queue: str = "default"
    at: AwareDatetime | None = Field(
        default=None, description="First attempt time; excludes delay."
    )
    delay: Duration | None = Field(
        default=None, description=f"First attempt after this. {DURATION_DOC}"
    )
    labels: dict[str, str] = Field(default_factory=dict)


class RetryBody(_Request):
    at: AwareDatetime | None = Field(default=None, description="When the new series starts.")
    delay: Duration | None = Field(default=None, description=DURATION_DOC)


class RescheduleBody(_Request):
    at: AwareDatetime | None = Field(default=None, description="The new time of the next attempt.")
    delay: Duration | None = Field(default=None, description=f"Or from now. {DURATION_DOC}")


class PreviewBody(_Request):
    policy: dict[str, Any] | str = Field(description=POLICY_DOC)
    count: int = Field(default=10, description="How many attempt times to compute (1-100).")
    start: AwareDatetime | None = Field(default=None, description="Submission time; default now.")


class JobOut(BaseModel):
    id: int
    kind: JobKind
    queue: str
    key: str | None
    target: str | None
    labels: dict[str, str]
    state: JobState
    attempts: int = Field(description="Attempts made in the current series.")
    series: int = Field(description="1, plus one for every manual retry.")
    run_at: datetime = Field(description="The next attempt (or the one under way).")
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    last_error: str | None
    payload: dict[str, Any] = Field(description="As stored, with secrets masked.")
    policy: dict[str, Any]


class AttemptOut(BaseModel):
    series: int
    number: int
    started_at: datetime
    finished_at: datetime
    duration_ms: int
    outcome: AttemptOutcome
    status_code: int | None
    response_excerpt: str | None
    error: str | None
    worker: str


class JobEnvelope(BaseModel):
    job: JobOut


class SubmitAnswer(BaseModel):
    job: JobOut
    created: bool = Field(description="False when the idempotency key named an existing job.")


class JobDetailOut(BaseModel):
    job: JobOut
    attempts: list[AttemptOut] = Field(description="Oldest first, across all series.")


class JobListOut(BaseModel):
    jobs: list[JobOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last page."
    )


class QueueCounts(BaseModel):
    queue: str
    counts: dict[JobState, int]


class OverviewOut(BaseModel):
    generated_at: datetime
    counts: dict[JobState, int]
    total: int
    pending: int
    dead: int
    queues: list[QueueCounts]
    next_due_at: datetime | None
    next_due: list[JobOut]


class PreviewRun(BaseModel):
    number: int
    at: datetime
    offset_s: float = Field(description="Seconds after the submission time.")


class PreviewOut(BaseModel):
    start: datetime
    runs: list[PreviewRun]
    gives_up: bool = Field(description="True when the policy gives up before `count` runs.")


class HealthOut(BaseModel):
    status: str
    schema_version: int | None = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None


class ErrorOut(BaseModel):
    error: ErrorDetail
