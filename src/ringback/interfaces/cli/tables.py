"""Rich tables for jobs and attempts (people's view; ``--json`` is the scripts' view)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from ringback.core.jobs import Attempt, Job, JobState
from ringback.core.service import mask_secrets
from ringback.interfaces.cli.output import cell, short, when

_STATE_STYLE = {
    JobState.SCHEDULED: "cyan",
    JobState.RUNNING: "yellow",
    JobState.SUCCEEDED: "green",
    JobState.DEAD: "bold red",
    JobState.CANCELLED: "dim",
}


def state_text(state: JobState) -> str:
    return f"[{_STATE_STYLE[state]}]{state.value}[/]"


def jobs_table(jobs: Sequence[Job]) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    # On a narrow terminal the free-text columns wrap first; the rest keep their width.
    widest_id = max((len(str(job.id)) for job in jobs), default=2)
    table.add_column("ID", no_wrap=True, min_width=widest_id)
    table.add_column("KIND", no_wrap=True, min_width=4)
    table.add_column("STATE", no_wrap=True, min_width=9)
    table.add_column("QUEUE")
    table.add_column("TARGET")
    table.add_column("TRIES", no_wrap=True)
    table.add_column("RUN AT", no_wrap=True, min_width=20)
    table.add_column("KEY")
    table.add_column("LAST ERROR")
    for job in jobs:
        table.add_row(
            str(job.id),
            job.kind.value,
            state_text(job.state),
            cell(job.queue),
            cell(job.target),
            f"{job.attempts}" if job.series == 1 else f"{job.attempts} (series {job.series})",
            "-" if job.state.is_final else when(job.run_at),
            short(job.key, 24),
            short(job.last_error, 40),
        )
    return table


def job_fields_table(job: Job) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    rows: list[tuple[str, str]] = [
        ("id", str(job.id)),
        ("kind", job.kind.value),
        ("state", state_text(job.state)),
        ("queue", cell(job.queue)),
        ("key", cell(job.key)),
        ("target", cell(job.target)),
        ("labels", cell(job.labels or None)),
        ("attempts", f"{job.attempts} in series {job.series}"),
        ("run at", when(job.run_at)),
        ("created", when(job.created_at)),
        ("updated", when(job.updated_at)),
        ("finished", when(job.finished_at)),
        ("last error", cell(job.last_error)),
        ("policy", cell(job.policy)),
        ("payload", cell(mask_secrets(job.payload))),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def attempts_table(attempts: Sequence[Attempt]) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for name in ("SERIES", "#", "STARTED", "MS", "OUTCOME", "STATUS"):
        table.add_column(name, no_wrap=True)
    table.add_column("ERROR / ANSWER")
    for attempt in attempts:
        table.add_row(
            str(attempt.series),
            str(attempt.number),
            when(attempt.started_at),
            str(attempt.duration_ms),
            attempt.outcome.value,
            cell(attempt.status_code),
            short(attempt.error or attempt.response_excerpt),
        )
    return table
