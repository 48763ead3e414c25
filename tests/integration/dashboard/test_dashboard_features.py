"""Payments and Statements pages from their providers, and the workers table from a
supervisor's real state files."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feature_env import Payments, Statements, serving_dashboard

from ringback.core.supervisor.process import ChildProcess
from ringback.core.supervisor.slots import Slot, state_document
from ringback.core.supervisor.spec import ChildSpec
from ringback.core.supervisor.state import MASTER_STATE_FILE, write_child_state, write_json_atomic

ORDERS = [
    {
        "order_no": f"ORDER-{n:03d}",
        "app_id": "game-1" if n % 2 else "shop",
        "amount": f"{n}.00",
        "status": "paid",
        "merchant_notification": "delivered" if n % 3 else "retrying",
    }
    for n in range(120, 0, -1)
]
REJECTED = [{"channel": "alipay", "reason": "bad signature <script>alert(1)</script>"}]
BREAKS = [
    {"category": "missing_ours", "order_no": "A-1"},
    {"category": "amount_mismatch", "order_no": "A-2"},
    {"category": "missing_ours", "order_no": "A-3"},
]


async def test_payments_pages_render_the_providers_rows(tmp_path: Path) -> None:
    payments = Payments(orders=ORDERS, rejected=REJECTED)
    async with serving_dashboard(tmp_path, payments=payments) as env, env.browser() as browser:
        orders = await browser.get("/dashboard/payments")
        assert orders.status_code == 200
        assert orders.text.count('<td data-label="Order">ORDER-') == 50
        assert '<td data-label="Merchant notified">retrying</td>' in orders.text
        assert "ORDER-120" in orders.text and "ORDER-070" not in orders.text
        older = await browser.get("/dashboard/payments?tab=orders&app=&cursor=50")
        assert "ORDER-070" in older.text and "ORDER-120" not in older.text

        one_app = await browser.get("/dashboard/payments?app=shop")
        assert '<td data-label="App">game-1</td>' not in one_app.text
        assert '<td data-label="App">shop</td>' in one_app.text

        rejected = await browser.get("/dashboard/payments?tab=rejected")
        assert "bad signature &lt;script&gt;alert(1)&lt;/script&gt;" in rejected.text
        assert "<script>" not in rejected.text
        notifications = await browser.get("/dashboard/payments?tab=notifications")
        assert "Nothing here." in notifications.text
        assert (await browser.get("/dashboard/payments?tab=refunds")).status_code == 422


async def test_statements_calendar_reports_breaks_and_csv(tmp_path: Path) -> None:
    statements = Statements(breaks=BREAKS)
    async with (
        serving_dashboard(tmp_path, statements=statements) as env,
        env.browser() as browser,
    ):
        page = await browser.get("/dashboard/statements")
        assert page.status_code == 200
        html = page.text
        assert "March 2026" in html
        assert 'class="day-pulled"' in html and 'class="day-failed"' in html
        assert 'title="failed: file refused: bad totals"' in html
        assert "next 11:00" in html
        assert 'href="/dashboard/statements/reports/alipay-2026-03-12"' in html
        april = await browser.get("/dashboard/statements?source=alipay&month=2026-04")
        assert "April 2026" in april.text and 'class="day-pulled"' not in april.text
        other = await browser.get("/dashboard/statements?source=wechatpay")
        assert other.status_code == 200 and "Nothing here." in other.text
        assert (await browser.get("/dashboard/statements?source=bank")).status_code == 422
        assert (await browser.get("/dashboard/statements?month=March")).status_code == 422

        report = await browser.get("/dashboard/statements/reports/alipay-2026-03-12")
        assert report.status_code == 200
        assert report.text.count('<td data-label="Order">A-') == 3
        only = await browser.get(
            "/dashboard/statements/reports/alipay-2026-03-12?category=missing_ours"
        )
        assert only.text.count('<td data-label="Order">A-') == 2
        refused = "/dashboard/statements/reports/alipay-2026-03-12?category=x"
        assert (await browser.get(refused)).status_code == 422
        assert (await browser.get("/dashboard/statements/reports/nope")).status_code == 404

        download = await browser.get(
            "/dashboard/statements/reports/alipay-2026-03-12/breaks.csv?category=amount_mismatch"
        )
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert download.headers["content-disposition"] == (
            'attachment; filename="alipay-2026-03-12-amount_mismatch-breaks.csv"'
        )
        assert download.text.splitlines() == ["category,order_no", "amount_mismatch,A-2"]


@pytest.fixture
def master_process() -> Iterator[subprocess.Popen[bytes]]:
    """A real process titled like ringback's master, so the state reads as running."""
    program = (
        "import setproctitle, sys, time; setproctitle.setproctitle('ringback: master'); "
        "sys.stdout.write('ok\\n'); sys.stdout.flush(); time.sleep(60)"
    )
    master = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE)
    assert master.stdout is not None and master.stdout.readline() == b"ok\n"
    yield master
    master.kill()
    master.wait()
    master.stdout.close()


@pytest.fixture
def worker_process() -> Iterator[subprocess.Popen[bytes]]:
    """A real process standing in for a worker child (any live pid will do)."""
    worker = subprocess.Popen(["sleep", "60"])
    yield worker
    worker.kill()
    worker.wait()


async def test_workers_table_reads_the_supervisors_state(
    tmp_path: Path,
    master_process: subprocess.Popen[bytes],
    worker_process: subprocess.Popen[bytes],
) -> None:
    state_dir = tmp_path / "state"
    started = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    worker = ChildProcess("worker-1", worker_process, time.monotonic(), started, None, ready=True)
    crashed = Slot(ChildSpec("worker-2", ["x"]), None, restarts=3, crashes=2)
    crashed.last_exit_code, crashed.backoff_s, crashed.restart_at = -9, 4.0, 1.0
    slots = [Slot(ChildSpec("worker-1", ["x"]), worker, restarts=1), crashed]
    document = state_document(
        master_pid=master_process.pid,
        started_at=started,
        stopped_at=None,
        reloads=0,
        reload_failures=0,
        slots=slots,
    )
    write_json_atomic(state_dir / MASTER_STATE_FILE, document)
    write_child_state(state_dir, "worker-1", {"jobs_done": 4217, "in_flight": 3})

    async with serving_dashboard(tmp_path, state_dir=state_dir) as env, env.browser() as browser:
        html = (await browser.get("/dashboard")).text
    workers = html.split('id="workers-h"')[1]
    assert f"Master pid {master_process.pid}" in workers
    assert '<span class="badge health-ok">running</span>' in workers
    row_1 = workers.split('<th scope="row">worker-1</th>')[1].split("</tr>")[0]
    assert 'health-ok">ok</span>' in row_1
    assert f'<td data-label="Pid">{worker_process.pid}</td>' in row_1
    assert '<td data-label="Jobs done" class="num">4217</td>' in row_1
    row_2 = workers.split('<th scope="row">worker-2</th>')[1].split("</tr>")[0]
    assert 'health-restarting">restarting</span>' in row_2
    assert "exited with -9; restarting in 4.0 s" in row_2
    assert '<td data-label="Crashes" class="num">2</td>' in row_2


async def test_a_broken_state_file_is_reported_not_fatal(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    (state_dir / MASTER_STATE_FILE).write_text("{not json", encoding="utf-8")
    async with serving_dashboard(tmp_path, state_dir=state_dir) as env, env.browser() as browser:
        answer = await browser.get("/dashboard")
    assert answer.status_code == 200
    assert "could not be read" in answer.text
    assert os.fspath(state_dir) in answer.text
