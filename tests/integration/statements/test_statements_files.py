"""What happens to a statement file once it arrives: kept once, parsed, reconciled against
ringback's orders or a CSV ledger, alerted on; and a hostile file is refused with nothing
kept."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ringback.core.clock import FakeClock
from ringback.core.jobs import JobState
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite import SqliteStore
from ringback.domain.payments.money import Money
from ringback.domain.payments.orders import MerchantNotice, Order, Payment
from ringback.domain.payments.repository import order_write
from ringback.domain.payments.status import PaymentStatus
from ringback.domain.statements.pulls import NS_REPORT, PullStatus, pull_job_key
from ringback.domain.statements.simulator import build_zip, make_statement_file
from ringback.domain.statements.simulator.bank import BANK_STATE

from .statements_env import (
    DAY,
    MIDNIGHT,
    TICK,
    RecordingHooks,
    bank_server,
    job_settled,
    line,
    statements_config,
    stored_pull,
    worker,
)

HALF_HOUR = timedelta(minutes=30)

# The bank's side of 23 November: every kind of break once, and clean matches.
STATEMENT = [
    line(1, 8888),  # matched
    line(2, 120000),  # ours says 1100.00: amount mismatch
    line(3, 5000),  # not in our records
    line(4, 6600),  # paid …
    line(5, -6600, "refunded", order_no="T20261123000004", txn="B2026112300000004"),  # … refunded
    line(6, 1999),  # matched, then:
    line(7, 1999, order_no="T20261123000006", txn="B2026112300000006"),  # duplicate
    line(8, 1000, "closed"),  # ours says paid: status mismatch
]
# Ours: (order number, amount, refunded?) — T…0005 is ours only (missing on the statement).
ORDERS = [(1, 8888, False), (2, 110000, False), (4, 6600, True), (5, 3000, False)]
ORDERS += [(6, 1999, False), (8, 1000, False)]
EXPECTED = {
    "matched": 4,
    "amount_mismatch": 1,
    "missing_ours": 1,
    "missing_statement": 1,
    "duplicate": 1,
    "status_mismatch": 1,
    "pending": 0,
}


def order(n: int, amount_minor: int, refunded: bool) -> Order:
    paid_at = MIDNIGHT - timedelta(hours=15) + timedelta(minutes=n)  # as on the statement
    paid = MerchantNotice(PaymentStatus.PAID, f"n{n}p", (f"k{n}p",), paid_at)
    notices = (paid,)
    if refunded:
        notices += (
            MerchantNotice(
                PaymentStatus.REFUNDED, f"n{n}r", (f"k{n}r",), paid_at + timedelta(minutes=1)
            ),
        )
    return Order(
        app_id="shop-1",
        order_no=f"T2026112300{n:04d}",
        amount=Money(amount_minor, "CNY"),
        status=PaymentStatus.REFUNDED if refunded else PaymentStatus.PAID,
        registered=True,
        created_at=paid_at - timedelta(minutes=2),
        payment=Payment("alipay", "2021000000", f"B2026112300{n:06d}", paid_at),
        status_changed_at=notices[-1].at,
        notices=notices,
    )


def ledger_csv() -> str:
    rows = ["order_no,channel_txn_no,amount,currency,status,occurred_at"]
    for n, amount, refunded in ORDERS:
        at = (MIDNIGHT - timedelta(hours=15) + timedelta(minutes=n)).isoformat()
        rows.append(f"T2026112300{n:04d},B2026112300{n:06d},{amount / 100:.2f},CNY,paid,{at}")
        if refunded:
            later = (datetime.fromisoformat(at) + timedelta(minutes=1)).isoformat()
            rows.append(
                f"T2026112300{n:04d},B2026112300{n:06d},-{amount / 100:.2f},CNY,refunded,{later}"
            )
    return "\n".join(rows) + "\n"


def counts(report: dict[str, Any]) -> dict[str, int]:
    return {name: value["count"] for name, value in report["categories"].items()}


async def store_orders(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()
    await store.write(records=[order_write(order(*o)) for o in ORDERS], now=TICK)
    await store.close()


async def test_a_gbk_statement_is_reconciled_against_our_orders_and_alerts_on_breaks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rb.db"
    await store_orders(path)
    clock = FakeClock(TICK)
    hooks = RecordingHooks(alert_url="http://127.0.0.1:9/alerts")
    async with bank_server(clock, ready_at=MIDNIGHT, statements={DAY: STATEMENT}) as bank:
        config = statements_config(bank.url, tmp_path, ledger="orders:shop-1", schedule="")
        async with worker(path, clock, config, hooks=hooks) as w:
            await w.service.trigger("bank", DAY)
            job = await job_settled(w.store, pull_job_key("bank", DAY), 1)
            stored = await w.service.report("bank", DAY)
            pull = await stored_pull(w.service, "bank", DAY)
            alerts = await w.store.list_jobs(JobFilter(label=("ringback.alert", "1")), limit=5)
            lines = await w.service.lines("bank", DAY)

    assert job.state is JobState.SUCCEEDED
    report = stored.report
    assert counts(report) == EXPECTED
    bridge = report["bridge"]
    assert bridge["statement_minus_ours_minor"] == bridge["sum_of_differences_minor"]
    assert report["statement"] == {
        "count": 8,
        "total_minor": sum(s.amount_minor for s in STATEMENT),
    }
    assert report["ours"]["count"] == 7  # six orders, one of them refunded
    assert stored.ledger == "orders:shop-1"
    assert pull.report is not None and pull.report["breaks"] == 5 and not pull.report["clean"]
    assert hooks.breaks == {k: v for k, v in EXPECTED.items() if k not in ("matched", "pending")}
    # The breaks alert: one HTTP job to the alert receiver, in the alerts queue.
    [alert] = alerts.jobs
    assert alert.kind.value == "http" and alert.queue == "alerts"
    assert alert.key is not None and alert.key.startswith("alert-statement-bank-2026-11-23-")
    assert alert.payload["json"]["type"] == "statement.breaks"
    assert alert.payload["json"]["breaks"]["amount_mismatch"] == 1
    # The lines are parsed again from the kept file, the same as the first time.
    assert [(x.order_no, x.amount_minor, x.status) for x in lines.lines] == [
        (s.order_no, s.amount_minor, s.status) for s in STATEMENT
    ]
    csv_text = stored.to_csv()
    assert csv_text.splitlines()[0].startswith("category,side,order_no")
    assert len(csv_text.splitlines()) == 1 + 5


async def test_a_csv_ledger_configured_or_given_by_hand(tmp_path: Path) -> None:
    (tmp_path / "ledger.csv").write_text(ledger_csv(), encoding="utf-8")
    clock = FakeClock(TICK)
    async with bank_server(clock, ready_at=MIDNIGHT, statements={DAY: STATEMENT}) as bank:
        config = statements_config(bank.url, tmp_path, ledger="csv:ledger.csv", schedule="")
        async with worker(tmp_path / "rb.db", clock, config) as w:
            await w.service.trigger("bank", DAY)
            await job_settled(w.store, pull_job_key("bank", DAY), 1)
            automatic = await w.service.report("bank", DAY)
            # By hand, with our missing order T…0003 added: one break fewer.
            fixed = ledger_csv() + (
                "T20261123000003,B2026112300000003,50.00,CNY,paid,"
                f"{(MIDNIGHT - timedelta(hours=15) + timedelta(minutes=3)).isoformat()}\n"
            )
            clock.set(TICK + timedelta(hours=1))
            by_hand = await w.service.reconcile("bank", DAY, ledger_csv=fixed)
            kept = await w.service.report("bank", DAY)

    assert counts(automatic.report) == EXPECTED
    assert automatic.ledger == f"csv:{tmp_path / 'ledger.csv'}"
    assert counts(by_hand.report) == {**EXPECTED, "matched": 5, "missing_ours": 0}
    assert kept.reconciled_at == TICK + timedelta(hours=1)
    assert kept.ledger == "csv (given by hand)"


async def test_the_same_file_twice_changes_nothing_and_a_new_file_replaces_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rb.db"
    await store_orders(path)
    clock = FakeClock(TICK)
    async with bank_server(clock, ready_at=MIDNIGHT, statements={DAY: STATEMENT}) as bank:
        config = statements_config(bank.url, tmp_path, ledger="orders", schedule="")
        async with worker(path, clock, config) as w:
            await w.service.trigger("bank", DAY)
            await job_settled(w.store, pull_job_key("bank", DAY), 1)
            first = await stored_pull(w.service, "bank", DAY)
            report_record = await w.store.get_record(NS_REPORT, "bank:2026-11-23")

            clock.set(TICK + timedelta(minutes=10))
            again = await w.service.trigger("bank", DAY)
            assert (again.action, again.sends_at) == ("again", TICK + HALF_HOUR)
            clock.set(TICK + HALF_HOUR)
            repeat = await job_settled(w.store, again.job.key or "", 1)
            second = await stored_pull(w.service, "bank", DAY)
            report_after = await w.store.get_record(NS_REPORT, "bank:2026-11-23")
            [attempt] = await w.store.list_attempts(repeat.id)

            # The bank corrects its file: the next pull replaces ours, keeping the old hash.
            corrected = make_statement_file([*STATEMENT, line(9, 700)], day=DAY)
            bank.app[BANK_STATE].files[DAY] = corrected
            clock.set(TICK + 2 * HALF_HOUR)
            third = await w.service.trigger("bank", DAY)
            await job_settled(w.store, third.job.key or "", 1)
            replaced = await stored_pull(w.service, "bank", DAY)
            new_report = await w.service.report("bank", DAY)

    assert first.received is not None and second.received is not None
    assert second.received == first.received
    assert second.previous_files == ()
    assert second.requests == 2
    assert report_record is not None and report_after is not None
    assert report_after.version == report_record.version  # not reconciled again
    assert attempt.response_excerpt is not None and '"unchanged": true' in attempt.response_excerpt
    assert replaced.received is not None
    assert replaced.received.sha256 == hashlib.sha256(corrected).hexdigest()
    assert replaced.previous_files == (first.received.sha256,)
    assert replaced.received.lines == 9
    assert counts(new_report.report)["missing_ours"] == 2


async def test_a_hostile_file_fails_the_pull_with_a_clear_error_and_keeps_nothing(
    tmp_path: Path,
) -> None:
    bomb = build_zip([("对账单_20261123.txt", bytes(8 * 1024 * 1024))])
    truncated = make_statement_file(STATEMENT, day=DAY)[:-40]
    other_day = DAY - timedelta(days=1)
    clock = FakeClock(TICK)
    hooks = RecordingHooks()
    files = {DAY: bomb, other_day: truncated}
    async with bank_server(clock, ready_at=MIDNIGHT, statements=files) as bank:
        config = statements_config(bank.url, tmp_path, ledger="none", schedule="")
        async with worker(tmp_path / "rb.db", clock, config, hooks=hooks) as w:
            await w.service.trigger("bank", DAY)
            job = await job_settled(w.store, pull_job_key("bank", DAY), 1)
            pull = await stored_pull(w.service, "bank", DAY)
            clock.set(TICK + HALF_HOUR)
            await w.service.trigger("bank", other_day)
            cut = await job_settled(w.store, pull_job_key("bank", other_day), 1)
            cut_pull = await stored_pull(w.service, "bank", other_day)
            kept = [
                await w.store.get_blob(hashlib.sha256(b).hexdigest()) for b in (bomb, truncated)
            ]
            reports = await w.store.count_records(NS_REPORT)

    assert job.state is JobState.DEAD and job.attempts == 1  # refused for good, not retried
    assert pull.status is PullStatus.FAILED
    assert pull.error is not None
    assert pull.error.startswith("the file was refused: compression ratio exceeds 200:1")
    assert pull.received is None
    assert cut.state is JobState.DEAD
    assert cut_pull.status is PullStatus.FAILED and cut_pull.error is not None
    assert "zip" in cut_pull.error
    assert kept == [None, None]
    assert reports == 0
    assert ("bank", "rejected") in hooks.pulls
