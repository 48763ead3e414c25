"""``/v1/statements``: statement pulls, their attempts, and reconciliation reports.

A pull asked for here is never sent at once if the source's minimum interval forbids
it: it is queued for the first allowed moment, and the answer says when that is
(``sends_at``). Behind the bearer token.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ringback.domain.statements.pulls import (
    StatementsService,
    parse_day,
    pull_detail_view,
    pull_view,
    source_view,
    trigger_view,
)
from ringback.domain.statements.pulls.repository import MAX_PAGE
from ringback.interfaces.api.errors import fields_in
from ringback.interfaces.api.schemas import ErrorOut

Source = Annotated[str, Path(description="The statement source's name.")]
Day = Annotated[str, Path(description="The statement's date, YYYY-MM-DD.")]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong bearer token."},
    404: {"model": ErrorOut, "description": "No such source, pull or report."},
    422: {"model": ErrorOut, "description": "Invalid input; `field` names the culprit."},
}


class TriggerOut(BaseModel):
    source: str
    date: str
    action: str = Field(
        description="queued, moved (sooner), already queued, running, again, received."
    )
    created: bool
    sends_at: AwareDatetime | None = Field(
        description="When the request will be sent: the first moment the minimum interval "
        "allows. Null while it is being sent."
    )
    job_id: int
    job_key: str | None
    job_state: str


class BackfillBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: str
    first: str = Field(alias="from", description="The first date, YYYY-MM-DD.")
    last: str = Field(alias="to", description="The last date, inclusive.")


class BackfillOut(BaseModel):
    pulls: list[TriggerOut]


class ReconcileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ledger_csv: str | None = Field(
        default=None, description="Our ledger as CSV; default: the source's configured ledger."
    )


class PullListOut(BaseModel):
    pulls: list[dict[str, Any]]
    next_cursor: str | None


def statements_router(statements: StatementsService) -> APIRouter:
    router = APIRouter(prefix="/v1/statements", tags=["statements"], responses=_ERRORS)

    @router.get("/sources", summary="The configured sources and when each may be asked next")
    async def sources() -> dict[str, list[dict[str, Any]]]:
        out = []
        for name, source in sorted(statements.config.sources.items()):
            out.append(
                {**source_view(source), "next_allowed_at": await statements.next_allowed(name)}
            )
        return {"sources": out}

    @router.get("/pulls", response_model=PullListOut, summary="Pulls, newest date first")
    async def list_pulls(
        source: str | None = None,
        first: Annotated[str | None, Query(alias="from", description="First date.")] = None,
        last: Annotated[str | None, Query(alias="to", description="Last date.")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        cursor: str | None = None,
    ) -> PullListOut:
        with fields_in("query"):
            listing = await statements.list_pulls(
                source=source,
                first=None if first is None else parse_day(first, field="from"),
                last=None if last is None else parse_day(last, field="to"),
                limit=limit,
                cursor=cursor,
            )
        return PullListOut(
            pulls=[pull_view(pull, job) for pull, job in listing.rows],
            next_cursor=listing.next_cursor,
        )

    @router.get("/pulls/{source}/{day}", summary="A pull, its jobs and every attempt")
    async def show(source: Source, day: Day) -> dict[str, Any]:
        with fields_in("path"):
            return pull_detail_view(await statements.show(source, parse_day(day)))

    @router.post(
        "/pulls/{source}/{day}",
        status_code=202,
        response_model=TriggerOut,
        summary="Pull this date: queued for the first moment the minimum interval allows",
    )
    async def trigger(source: Source, day: Day) -> TriggerOut:
        with fields_in("path"):
            made = await statements.trigger(source, parse_day(day))
        return TriggerOut.model_validate(trigger_view(made))

    @router.post(
        "/backfill",
        status_code=202,
        response_model=BackfillOut,
        summary="Pull a range of dates one by one, within the minimum interval",
    )
    async def backfill(body: BackfillBody) -> BackfillOut:
        with fields_in("body"):
            made = await statements.backfill(
                body.source, parse_day(body.first, field="from"), parse_day(body.last, field="to")
            )
        return BackfillOut(pulls=[TriggerOut.model_validate(trigger_view(t)) for t in made])

    @router.get(
        "/reports/{source}/{day}",
        summary="The reconciliation report (JSON, or CSV with format=csv)",
        responses={200: {"content": {"text/csv": {}}}},
    )
    async def report(source: Source, day: Day, format: Literal["json", "csv"] = "json") -> Any:
        with fields_in("path"):
            stored = await statements.report(source, parse_day(day))
        if format == "csv":
            name = f"reconciliation_{source}_{stored.day.isoformat()}.csv"
            return Response(
                stored.to_csv(),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return _report_out(stored)

    @router.post(
        "/reports/{source}/{day}",
        summary="Reconcile the kept file again, now (optionally against a CSV ledger)",
    )
    async def reconcile(source: Source, day: Day, body: ReconcileBody | None = None) -> Any:
        with fields_in("body"):
            stored = await statements.reconcile(
                source, parse_day(day), ledger_csv=None if body is None else body.ledger_csv
            )
        return _report_out(stored)

    return router


def _report_out(stored: Any) -> dict[str, Any]:
    return {
        "source": stored.source,
        "date": stored.day.isoformat(),
        "file_sha256": stored.file_sha256,
        "ledger": stored.ledger,
        "reconciled_at": stored.reconciled_at,
        "report": stored.report,
    }
