"""``/dashboard/jobs/{id}``: one job (payload masked, policy, every attempt, the next
one) and the operator's buttons: retry now, cancel, move the next run.

Each button is a form POST carrying the session's CSRF token; success redirects back
to the job (so a reload does not repeat the action), a refusal shows the job again
with the reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ringback.core.durations import parse_duration
from ringback.core.errors import Conflict, InvalidInput
from ringback.core.jobs import JobState
from ringback.core.service import detail_view
from ringback.interfaces.dashboard.auth import Operator, authenticate, checked_form
from ringback.interfaces.dashboard.context import BASE, Dashboard
from ringback.interfaces.dashboard.form_time import parse_form_time
from ringback.interfaces.dashboard.route import DashboardRoute
from ringback.interfaces.dashboard.templating import render, secured

DONE_MESSAGES = {
    "retried": "Retry scheduled: a new series of attempts starts now.",
    "cancelled": "Job cancelled.",
    "rescheduled": "Next attempt moved.",
}


def job_routes(dash: Dashboard) -> APIRouter:
    router = APIRouter(route_class=DashboardRoute)

    @router.get(f"{BASE}/jobs/{{job_id}}")
    async def job_page(request: Request, job_id: int) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        done = DONE_MESSAGES.get(request.query_params.get("done", ""))
        flash = {"kind": "ok", "text": done} if done else None
        return await _render_job(dash, operator, job_id, flash=flash, status=200)

    @router.post(f"{BASE}/jobs/{{job_id}}/retry")
    async def retry(request: Request, job_id: int) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        await checked_form(request, dash.signer, operator)
        try:
            await dash.jobs.retry(job_id)
        except (Conflict, InvalidInput) as exc:
            return await _refused(dash, operator, job_id, exc)
        return _back_to(job_id, "retried")

    @router.post(f"{BASE}/jobs/{{job_id}}/cancel")
    async def cancel(request: Request, job_id: int) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        await checked_form(request, dash.signer, operator)
        try:
            await dash.jobs.cancel(job_id)
        except (Conflict, InvalidInput) as exc:
            return await _refused(dash, operator, job_id, exc)
        return _back_to(job_id, "cancelled")

    @router.post(f"{BASE}/jobs/{{job_id}}/reschedule")
    async def reschedule(request: Request, job_id: int) -> Response:
        operator = authenticate(request, dash.signer, dash.clock.now())
        form = await checked_form(request, dash.signer, operator)
        try:
            at_text, delay_text = _field(form.get("at")), _field(form.get("delay"))
            if at_text and delay_text:
                raise InvalidInput("give a time or a delay, not both", field="delay")
            if at_text:
                await dash.jobs.reschedule(job_id, parse_form_time(at_text, "at"))
            else:
                delay = parse_duration(delay_text, field="delay") if delay_text else None
                await dash.jobs.reschedule(job_id, delay=delay)
        except (Conflict, InvalidInput) as exc:
            return await _refused(dash, operator, job_id, exc)
        return _back_to(job_id, "rescheduled")

    return router


async def _render_job(
    dash: Dashboard,
    operator: Operator,
    job_id: int,
    *,
    flash: dict[str, str] | None,
    status: int,
) -> Response:
    detail = await dash.jobs.get(job_id)
    view = detail_view(detail)
    job = detail.job
    context = dash.page(
        operator,
        active="jobs",
        title=f"Job {job.id}",
        job=view["job"],
        series=_by_series(view["attempts"]),
        can_retry=job.state in (JobState.DEAD, JobState.CANCELLED),
        can_cancel=job.state in (JobState.SCHEDULED, JobState.RUNNING),
        can_reschedule=job.state is JobState.SCHEDULED,
        lease_expires_at=job.lease_expires_at,
        suggested_at=(dash.clock.now() + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
    )
    context["flash"] = flash
    return render("job.html", context, status=status)


async def _refused(
    dash: Dashboard, operator: Operator, job_id: int, exc: Conflict | InvalidInput
) -> Response:
    status = 409 if isinstance(exc, Conflict) else 422
    flash = {"kind": "error", "text": exc.message}
    return await _render_job(dash, operator, job_id, flash=flash, status=status)


def _back_to(job_id: int, done: str) -> Response:
    return secured(RedirectResponse(f"{BASE}/jobs/{job_id}?done={done}", status_code=303))


def _by_series(attempts: list[dict[str, Any]]) -> list[tuple[int, list[dict[str, Any]]]]:
    """Attempts grouped by series, the newest series first (each oldest attempt first)."""
    groups: dict[int, list[dict[str, Any]]] = {}
    for attempt in attempts:
        groups.setdefault(attempt["series"], []).append(attempt)
    return sorted(groups.items(), reverse=True)


def _field(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
