"""``ringback statements …``, ``ringback reconcile`` and ``/v1/statements`` on the whole
service in one loop (``EmbeddedService``: a real SQLite file, a real worker with its
periodic scheduler, uvicorn on port 0) and the simulated bank on loopback, in real time
with a 200 ms minimum interval. The CLI runs in a thread beside them, as a user would run
it next to a live service."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ringback.core.clock import SystemClock
from ringback.core.config import ensure_secrets, load_settings
from ringback.domain.statements import StatementLine
from ringback.domain.statements.simulator import OK, SIMULATOR_FORMAT
from ringback.interfaces.cli import cmd_statements
from ringback.interfaces.cli.main import main
from ringback.interfaces.runtime.embedded import EmbeddedService

from .statements_env import BankServer, bank_server

TOKEN = "statements-test-token-0123456789"
DAYS = [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]
INTERVAL = timedelta(milliseconds=200)
LATENCY = timedelta(milliseconds=40)


def lines(day: date) -> list[StatementLine]:
    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
    return [
        StatementLine(0, f"O{day:%m%d}1", "B1", 8888, "CNY", "paid", at, ""),
        StatementLine(0, f"O{day:%m%d}2", "B2", 1200, "CNY", "paid", at, ""),
    ]


@dataclass
class Env:
    svc: EmbeddedService
    bank: BankServer
    config: Path
    http: httpx.AsyncClient


def toml_value(value: Any) -> str:
    """An inline TOML value (JSON strings are valid TOML basic strings)."""
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def write_config(folder: Path, bank_url: str) -> Path:
    fmt = toml_value(SIMULATOR_FORMAT)
    config = folder / "ringback.toml"
    config.write_text(
        f"""
[store]
url = "sqlite:///ringback.db"
[server]
port = 0
token = "{TOKEN}"
[dispatcher]
idle_wait = "1s"
[statements.sources.bank]
kind = "http"
url = "{bank_url}"
json = {{ merchant = "898310048160001", date = "{{date}}" }}
not_ready = {{ field = "code", equals = "9999" }}
too_frequent = {{ field = "code", equals = "1001" }}
ready = {{ field = "code", equals = "0000" }}
schedule = ""
tz = "Asia/Shanghai"
min_interval = "200ms"
ledger = "none"
format = {fmt}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
async def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Env]:
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setattr(cmd_statements, "FOLLOW_EVERY_S", 0.02)
    clock = SystemClock()
    ready = clock.now() - timedelta(hours=1)
    async with bank_server(
        clock,  # type: ignore[arg-type]
        ready_at=ready,
        statements={day: lines(day) for day in DAYS},
        min_interval=timedelta(milliseconds=150),
    ) as bank:
        config = write_config(tmp_path, bank.url)
        settings = ensure_secrets(load_settings(config, env={}))
        async with EmbeddedService(settings) as svc:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(base_url=svc.url, headers=headers) as http:
                yield Env(svc, bank, config, http)


async def ringback(env: Env, capsys: Any, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["--config", str(env.config), *argv])
    out, err = capsys.readouterr()
    return code, out, err


async def test_backfill_list_show_pull_and_reconcile_from_the_command_line(
    env: Env, capsys: Any, tmp_path: Path
) -> None:
    code, out, _ = await ringback(env, capsys, "statements", "sources", "--json")
    assert code == 0
    [source] = json.loads(out)["sources"]
    assert source["name"] == "bank" and source["target"].startswith("127.0.0.1:")
    assert source["min_interval"] == "200ms"

    code, out, _ = await ringback(
        env, capsys, "statements", "backfill", "bank", "--from", "2026-11-20", "--to", "2026-11-22"
    )
    assert code == 0, out
    assert "3 received, 0 failed" in out
    times = [request.at for request in env.bank.requests]
    assert len(times) == 3
    # As the bank sees them: arrival times, so connection set-up shifts one by a few ms.
    assert all(b - a >= INTERVAL - LATENCY for a, b in itertools.pairwise(times))
    assert {request.code for request in env.bank.requests} == {OK}

    code, out, _ = await ringback(env, capsys, "statements", "list", "bank", "--json")
    assert code == 0
    pulls = json.loads(out)["pulls"]
    assert [(p["date"], p["status"], p["requests"]) for p in pulls] == [
        ("2026-11-22", "received", 1),
        ("2026-11-21", "received", 1),
        ("2026-11-20", "received", 1),
    ]
    code, out, _ = await ringback(env, capsys, "statements", "list")
    assert code == 0 and "2026-11-21" in out and "received" in out and "2 lines" in out

    code, out, _ = await ringback(env, capsys, "statements", "show", "bank", "--date", "2026-11-21")
    assert code == 0
    assert "对账单_20261121.txt" in out and "success" in out
    code, out, _ = await ringback(
        env, capsys, "statements", "show", "bank", "--date", "2026-11-22", "--json"
    )
    last_sent = datetime.fromisoformat(json.loads(out)["gate"]["last_request_at"])

    # By hand, at once after the last request: queued for the first allowed moment.
    code, out, _ = await ringback(
        env, capsys, "statements", "pull", "bank", "--date", "2026-11-22", "--json"
    )
    assert code == 0
    made = json.loads(out)
    assert made["action"] == "again"
    sends_at = datetime.fromisoformat(made["sends_at"].replace("Z", "+00:00"))
    assert sends_at >= last_sent + INTERVAL

    ledger = tmp_path / "ours.csv"
    ledger.write_text(
        "order_no,amount,status,occurred_at\n"
        "O11211,88.88,paid,2026-11-21T10:00:00+08:00\n"
        "O11212,13.00,paid,2026-11-21T10:00:00+08:00\n",
        encoding="utf-8",
    )
    base = ("reconcile", "bank", "--date", "2026-11-21", "--ledger-csv", str(ledger))
    code, out, _ = await ringback(env, capsys, *base)
    assert code == 1  # breaks
    assert "breaks" in out and "amount_mismatch" in out and "O11212" in out
    code, out, _ = await ringback(env, capsys, *base, "--csv")
    assert out.splitlines()[0].startswith("category,side,order_no")
    assert out.splitlines()[1].startswith("amount_mismatch,both,O11212")
    code, out, _ = await ringback(env, capsys, *base, "--json")
    report = json.loads(out)["report"]
    assert report["categories"]["amount_mismatch"]["difference_minor"] == 1200 - 1300


async def test_mistakes_are_one_line_with_the_right_exit_code(env: Env, capsys: Any) -> None:
    code, _, err = await ringback(env, capsys, "statements", "pull", "nope", "--date", "2026-11-21")
    assert code == 3 and "no statement source 'nope'" in err
    code, _, err = await ringback(env, capsys, "statements", "pull", "bank", "--date", "21/11")
    assert code == 2 and "--date" in err
    code, _, err = await ringback(env, capsys, "reconcile", "bank", "--date", "2026-11-21")
    assert code == 3 and "bank has no pull for 2026-11-21" in err
    code, _, err = await ringback(
        env, capsys, "statements", "backfill", "bank", "--from", "2026-11-22", "--to", "2026-11-01"
    )
    assert code == 2 and "--to is before --from" in err
    assert env.bank.requests == []


async def test_the_api_lists_shows_triggers_and_serves_reports(env: Env) -> None:
    answer = await env.http.post(
        "/v1/statements/backfill", json={"source": "bank", "from": "2026-11-20", "to": "2026-11-21"}
    )
    assert answer.status_code == 202
    queued = answer.json()["pulls"]
    assert [p["action"] for p in queued] == ["queued", "queued"]
    first, second = (datetime.fromisoformat(p["sends_at"]) for p in queued)
    assert second - first >= INTERVAL

    async def received() -> bool:
        listing = (await env.http.get("/v1/statements/pulls", params={"source": "bank"})).json()
        states = [(p["status"], p["job_state"]) for p in listing["pulls"]]
        return states == [("received", "succeeded")] * 2

    for _ in range(300):
        if await received():
            break
        await asyncio.sleep(0.01)
    assert await received()

    shown = (await env.http.get("/v1/statements/pulls/bank/2026-11-21")).json()
    assert shown["pull"]["file"]["lines"] == 2
    [job] = shown["jobs"]
    assert [a["outcome"] for a in job["attempts"]] == ["success"]
    assert shown["gate"]["next_allowed_at"] is not None

    again = await env.http.post("/v1/statements/pulls/bank/2026-11-22")
    assert again.status_code == 202
    body = again.json()
    assert body["action"] == "queued" and body["created"] is True
    last_sent = datetime.fromisoformat(shown["gate"]["last_request_at"])
    assert datetime.fromisoformat(body["sends_at"]) >= last_sent + INTERVAL

    reconcile = await env.http.post(
        "/v1/statements/reports/bank/2026-11-21",
        json={
            "ledger_csv": "order_no,amount,status,occurred_at\n"
            "O11211,88.88,paid,2026-11-21T10:00:00+08:00\n"
            "O11212,12.00,paid,2026-11-21T10:00:00+08:00\n"
        },
    )
    assert reconcile.status_code == 200
    assert reconcile.json()["report"]["clean"] is True
    as_csv = await env.http.get("/v1/statements/reports/bank/2026-11-21", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines() == [as_csv.text.splitlines()[0]]  # clean: a header only

    missing = await env.http.get("/v1/statements/pulls/nope/2026-11-21")
    assert missing.status_code == 404
    bad = await env.http.get("/v1/statements/pulls/bank/yesterday")
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "path.date"
    sources = (await env.http.get("/v1/statements/sources")).json()["sources"]
    assert sources[0]["name"] == "bank"


def test_the_demo_pulls_waits_gets_the_file_and_reconciles(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    folder = tmp_path / "demo"
    code = main(
        [
            "demo",
            "statements",
            "--dir",
            str(folder),
            "--interval",
            "150ms",
            "--ready-after",
            "200ms",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "→ bank answered 9999 (not ready yet)" in out
    assert "→ bank answered 0000 (here is the file)" in out
    assert "1001" not in out  # never too soon
    assert "file received after" in out and "6 lines" in out
    assert "amount_mismatch" in out and "D0002" in out
    assert f"ringback --config {folder / 'ringback.toml'} statements show demo-bank" in out
    # What it points at works: the folder's configuration and store.
    code = main(["--config", str(folder / "ringback.toml"), "statements", "list", "--json"])
    listed = json.loads(capsys.readouterr().out)
    assert code == 0 and listed["pulls"][0]["status"] == "received"


async def test_the_dashboard_shows_the_calendar_reports_and_breaks(env: Env) -> None:
    await env.http.post("/v1/statements/pulls/bank/2026-11-21")
    for _ in range(300):
        listing = (await env.http.get("/v1/statements/pulls", params={"source": "bank"})).json()
        if [p["status"] for p in listing["pulls"]] == ["received"]:
            break
        await asyncio.sleep(0.01)
    ledger = "order_no,amount,status,occurred_at\nO11211,88.88,paid,2026-11-21T10:00:00+08:00\n"
    answer = await env.http.post(
        "/v1/statements/reports/bank/2026-11-21", json={"ledger_csv": ledger}
    )
    assert answer.json()["report"]["clean"] is False  # O11212 is on the statement only

    page = await env.http.get("/dashboard/statements", params={"month": "2026-11"})
    assert page.status_code == 200, page.text
    assert "not configured" not in page.text
    assert "bank:2026-11-21" in page.text
    report = await env.http.get("/dashboard/statements/reports/bank:2026-11-21")
    assert report.status_code == 200, report.text
    assert "O11212" in report.text
    csv_text = (await env.http.get("/dashboard/statements/reports/bank:2026-11-21/breaks.csv")).text
    assert "O11212" in csv_text and "missing_ours" in csv_text
    assert "O11211" not in csv_text  # matched lines are not breaks
