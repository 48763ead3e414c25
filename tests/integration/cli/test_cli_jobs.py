"""``ringback jobs ...``, ``migrate`` and ``config check`` in-process."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cli_env import TOKEN, URL, CliEnv, parse

from ringback.core.jobs import Attempt, AttemptOutcome, JobState, Outcome
from ringback.core.store.sqlite import SqliteStore
from ringback.interfaces.cli.exit_codes import CONFLICT, NOT_FOUND, OK, USAGE
from ringback.interfaces.cli.main import main


def submit(cli: CliEnv, capsys: pytest.CaptureFixture[str], *argv: str) -> int:
    assert cli.run("submit", URL, *argv, "-o", "json") == OK
    job_id: int = parse(capsys.readouterr().out)["job"]["id"]
    return job_id


def read_json(cli: CliEnv, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert cli.run(*argv, "--json") == OK
    return parse(capsys.readouterr().out)


def record_failed_attempt(cli: CliEnv, *, dead: bool) -> None:
    """What a worker would do to the due job, straight on the same database file."""

    async def work() -> None:
        store = SqliteStore(cli.db)
        await store.open()
        try:
            now = datetime.now(UTC)
            [job] = await store.claim(worker="w9", now=now, limit=1, lease=timedelta(minutes=1))
            attempt = Attempt(
                job_id=job.id,
                series=job.series,
                number=1,
                started_at=now,
                finished_at=now + timedelta(milliseconds=40),
                outcome=AttemptOutcome.GAVE_UP if dead else AttemptOutcome.RETRY,
                worker="w9",
                status_code=502,
                response_excerpt="bad gateway",
                error="HTTP 502",
            )
            outcome = Outcome(
                job_id=job.id,
                worker="w9",
                attempt=attempt,
                state=JobState.DEAD if dead else JobState.SCHEDULED,
                run_at=None if dead else now + timedelta(minutes=5),
                last_error="HTTP 502",
            )
            await store.record_outcomes([outcome], now)
        finally:
            await store.close()

    asyncio.run(work())


def test_list_filters_and_pages(cli: CliEnv, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [submit(cli, capsys, "--queue", "notify") for _ in range(5)]
    other = submit(cli, capsys, "--label", "merchant=m7")
    listed = read_json(cli, capsys, "jobs", "list")
    assert [job["id"] for job in listed["jobs"]] == [other, *ids[::-1]]
    assert listed["next_cursor"] is None
    by_queue = read_json(cli, capsys, "jobs", "list", "--queue", "notify", "--limit", "2")
    assert [job["id"] for job in by_queue["jobs"]] == ids[::-1][:2]
    cursor = str(by_queue["next_cursor"])
    page2 = read_json(
        cli, capsys, "jobs", "list", "--queue", "notify", "--limit", "2", "--cursor", cursor
    )
    assert [job["id"] for job in page2["jobs"]] == ids[::-1][2:4]
    by_label = read_json(cli, capsys, "jobs", "list", "--label", "merchant:m7")
    assert [job["id"] for job in by_label["jobs"]] == [other]
    none = read_json(cli, capsys, "jobs", "list", "--state", "dead")
    assert none == {"jobs": [], "next_cursor": None}

    assert cli.run("jobs", "list", "--queue", "notify") == OK
    table = capsys.readouterr().out
    for job_id in ids:
        assert f"\n{job_id} " in table or table.startswith(f"{job_id} ")
    assert "scheduled" in table and "shop.example:443" in table


def test_show_lists_attempts(cli: CliEnv, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(cli, capsys, "--header", "X-Api-Key: k-secret")
    record_failed_attempt(cli, dead=False)
    shown = read_json(cli, capsys, "jobs", "show", str(job_id))
    assert shown["job"]["attempts"] == 1
    assert shown["job"]["payload"]["headers"] == {"X-Api-Key": "***"}
    [attempt] = shown["attempts"]
    assert (attempt["status_code"], attempt["outcome"], attempt["duration_ms"]) == (
        502,
        "retry",
        40,
    )
    assert cli.run("jobs", "show", str(job_id)) == OK
    text = capsys.readouterr().out
    assert "HTTP 502" in text and "retry" in text
    assert "k-secret" not in text


def test_actions_and_their_exit_codes(cli: CliEnv, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(cli, capsys)
    moved = read_json(
        cli, capsys, "jobs", "reschedule", str(job_id), "--at", "2030-01-01T08:00:00+08:00"
    )
    assert moved["job"]["run_at"] == "2030-01-01T00:00:00Z"
    assert cli.run("jobs", "retry", str(job_id)) == CONFLICT
    assert cli.run("jobs", "cancel", str(job_id)) == OK
    captured = capsys.readouterr()
    assert f"job {job_id}: cancelled" in captured.out
    [conflict] = captured.err.splitlines()
    assert conflict.startswith("ringback: error: ")
    assert cli.run("jobs", "cancel", str(job_id)) == CONFLICT
    assert cli.run("jobs", "reschedule", str(job_id), "--delay", "1m") == CONFLICT
    assert len(capsys.readouterr().err.splitlines()) == 2
    retried = read_json(cli, capsys, "jobs", "retry", str(job_id), "--delay", "1h")
    assert (retried["job"]["state"], retried["job"]["series"]) == ("scheduled", 2)
    assert cli.run("jobs", "show", "999") == NOT_FOUND
    assert cli.run("jobs", "cancel", "999") == NOT_FOUND
    assert cli.run("jobs", "reschedule", str(job_id)) == USAGE  # needs --at or --delay
    assert cli.run("jobs", "show", "abc") == USAGE
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 4
    assert all("999" in line for line in err[:2])
    assert "--at" in err[2] and "abc" in err[3]


def test_a_dead_job_is_retried(cli: CliEnv, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(cli, capsys)
    record_failed_attempt(cli, dead=True)
    dead = read_json(cli, capsys, "jobs", "list", "--state", "dead")
    assert [job["id"] for job in dead["jobs"]] == [job_id]
    assert cli.run("jobs", "retry", str(job_id)) == OK
    assert f"job {job_id}: scheduled" in capsys.readouterr().out


def test_migrate_is_repeatable(cli: CliEnv, capsys: pytest.CaptureFixture[str]) -> None:
    first = read_json(cli, capsys, "migrate")
    assert first["schema_version"] >= 1
    assert cli.db.exists()
    assert read_json(cli, capsys, "migrate") == first
    # --config may also follow the command name.
    assert main(["migrate", "--json", "--config", str(cli.config)]) == OK
    assert parse(capsys.readouterr().out) == first


def test_config_check_masks_secrets(cli: CliEnv, capsys: pytest.CaptureFixture[str]) -> None:
    shown = read_json(cli, capsys, "config", "check")
    assert shown["server"]["token"] != TOKEN
    assert shown["server"]["token"].startswith(TOKEN[:4])
    assert cli.signing_secret not in str(shown)
    assert shown["store"]["url"].endswith("ringback.db")
    assert cli.run("config", "check") == OK
    captured = capsys.readouterr()
    assert TOKEN not in captured.out and cli.signing_secret not in captured.out
    assert "[server]" in captured.out


def test_config_errors_are_exit_2(
    cli: CliEnv, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.config.write_text('[server]\nport = "many"\n', encoding="utf-8")
    assert cli.run("config", "check") == USAGE
    monkeypatch.setenv("RINGBACK_SERVER_PROT", "1")
    cli.config.write_text("", encoding="utf-8")
    assert cli.run("jobs", "list") == USAGE
    assert cli.run("--config", "/nonexistent/ringback.toml", "jobs", "list") == USAGE
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert "port" in err[0]


def test_retry_all_counts_asks_then_retries_only_dead_jobs(
    cli: CliEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = []
    for _ in range(3):
        dead.append(submit(cli, capsys, "--queue", "notify"))
        record_failed_attempt(cli, dead=True)
    alive = submit(cli, capsys, "--queue", "notify")

    # Not a terminal and no --yes: it counts, says so, and changes nothing.
    assert cli.run("jobs", "retry-all", "--queue", "notify") == OK
    assert "3 jobs match" in capsys.readouterr().err  # notes go to stderr
    assert read_json(cli, capsys, "jobs", "list", "--state", "dead")["jobs"] != []

    done = read_json(cli, capsys, "jobs", "retry-all", "--queue", "notify", "--yes")
    assert done == {"matched": 3, "retried": 3, "skipped": 0}
    states = {job["id"]: job["state"] for job in read_json(cli, capsys, "jobs", "list")["jobs"]}
    assert all(states[job_id] == "scheduled" for job_id in dead)
    assert states[alive] == "scheduled"
    for job_id in dead:
        assert read_json(cli, capsys, "jobs", "show", str(job_id))["job"]["series"] == 2

    assert cli.run("jobs", "retry-all", "--state", "scheduled", "--yes") == USAGE
    assert "only dead or cancelled" in capsys.readouterr().err
