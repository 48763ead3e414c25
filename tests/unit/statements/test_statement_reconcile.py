"""Reconciliation: every category, the tolerance, the midnight window, duplicates, reports."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from ringback.core.errors import InvalidInput
from ringback.domain.statements import (
    Category,
    LedgerEntry,
    ReconcileOptions,
    Report,
    StatementLine,
    reconcile,
)
from ringback.domain.statements.reconcile import BridgeBroken, ReportItem, build_report

DAY = date(2026, 11, 23)
START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # 2026-11-23 00:00 in Asia/Shanghai
END = START + timedelta(days=1)
NOON = START + timedelta(hours=12)
NEXT_MORNING = END + timedelta(hours=6)


def line(
    order_no: str,
    amount_minor: int,
    status: str = "paid",
    *,
    at: datetime = NOON,
    txn: str | None = None,
    line_no: int = 0,
    refund_no: str | None = None,
) -> StatementLine:
    return StatementLine(
        line_no,
        order_no,
        txn,
        amount_minor,
        "CNY",
        status,
        at,
        f"{order_no}|{amount_minor}",
        refund_no,
    )


def entry(
    order_no: str,
    amount_minor: int,
    status: str = "paid",
    *,
    at: datetime = NOON,
    txn: str | None = None,
    refund_no: str | None = None,
) -> LedgerEntry:
    return LedgerEntry(order_no, txn, amount_minor, "CNY", status, at, refund_no)


def run(
    lines: list[StatementLine],
    ours: list[LedgerEntry],
    *,
    as_of: datetime = NEXT_MORNING,
    **options: object,
) -> Report:
    numbered = [item._replace(line_no=item.line_no or n) for n, item in enumerate(lines, 1)]
    return reconcile(
        numbered,
        ours,
        day=DAY,
        as_of=as_of,
        options=ReconcileOptions(**options),  # type: ignore[arg-type]
    )


def only(report: Report) -> ReportItem:
    assert len(report.items) == 1, report.items
    return report.items[0]


def test_all_matched_is_clean() -> None:
    report = run([line("A", 100), line("B", 250)], [entry("B", 250), entry("A", 100)])
    assert report.is_clean
    assert report.counts()[Category.MATCHED] == 2
    assert report.items == ()
    assert report.statement_total_minor == report.our_total_minor == 350


def test_missing_ours() -> None:
    item = only(run([line("A", 100), line("B", 250)], [entry("A", 100)]))
    assert (item.category, item.side, item.order_no) == (Category.MISSING_OURS, "statement", "B")
    assert (item.statement_line_no, item.difference_minor) == (2, 250)


def test_missing_statement() -> None:
    item = only(run([line("A", 100)], [entry("A", 100), entry("C", 70)]))
    assert (item.category, item.side, item.order_no) == (Category.MISSING_STATEMENT, "ours", "C")
    assert item.difference_minor == -70
    assert item.statement_line_no is None


def test_amount_mismatch() -> None:
    item = only(run([line("A", 100)], [entry("A", 90)]))
    assert item.category is Category.AMOUNT_MISMATCH
    assert (item.statement_amount_minor, item.our_amount_minor, item.difference_minor) == (
        100,
        90,
        10,
    )


def test_status_mismatch_wins_over_amount() -> None:
    item = only(run([line("A", 100, "closed")], [entry("A", 90, "paid")]))
    assert item.category is Category.STATUS_MISMATCH
    assert (item.statement_status, item.our_status) == ("closed", "paid")
    assert item.difference_minor == 10


def test_tolerance() -> None:
    lines, ours = [line("A", 101), line("B", 103)], [entry("A", 100), entry("B", 100)]
    strict = run(lines, ours)
    assert [item.category for item in strict.items] == [Category.AMOUNT_MISMATCH] * 2
    tolerant = run(lines, ours, tolerance_minor=2)
    assert tolerant.counts()[Category.MATCHED] == 1
    assert only(tolerant).order_no == "B"
    # The tolerated cent is not lost: it is the matched category's difference.
    assert tolerant.differences()[Category.MATCHED] == 1
    assert tolerant.differences()[Category.AMOUNT_MISMATCH] == 3


def test_channel_number_matches_when_order_numbers_differ() -> None:
    report = run(
        [line("BANK-PREFIX-A", 100, txn="4200001"), line("Z", 5, txn="4200009")],
        [entry("A", 100, txn="4200001"), entry("Y", 5, txn="4200008")],
    )
    assert report.counts()[Category.MATCHED] == 1
    assert sorted(item.category for item in report.items) == [
        Category.MISSING_OURS,
        Category.MISSING_STATEMENT,
    ]


def test_duplicate_on_the_statement() -> None:
    report = run([line("A", 100), line("B", 5), line("A", 100)], [entry("A", 100), entry("B", 5)])
    item = only(report)
    assert (item.category, item.side, item.statement_line_no) == (
        Category.DUPLICATE,
        "statement",
        3,
    )
    assert report.counts()[Category.MATCHED] == 2
    assert item.difference_minor == 100


def test_duplicate_in_our_records() -> None:
    report = run([line("A", 100)], [entry("A", 100), entry("A", 100)])
    item = only(report)
    assert (item.category, item.side, item.difference_minor) == (Category.DUPLICATE, "ours", -100)


def test_duplicate_of_an_unmatched_statement_line() -> None:
    report = run([line("Q", 1), line("Q", 1)], [])
    assert [item.category for item in report.items] == [Category.MISSING_OURS, Category.DUPLICATE]


def test_refunds_match_apart_from_payments() -> None:
    lines = [line("A", 100), line("A", -40, "refunded", refund_no="R1")]
    ours = [entry("A", -40, "refunded", refund_no="R1"), entry("A", 100)]
    assert run(lines, ours).counts()[Category.MATCHED] == 2


def test_two_refunds_of_one_order() -> None:
    lines = [line("A", -10, "refunded", refund_no="R1"), line("A", -20, "refunded", refund_no="R2")]
    ours = [
        entry("A", -20, "refunded", refund_no="R2"),
        entry("A", -10, "refunded", refund_no="R1"),
    ]
    by_order = run(lines, ours)
    assert {item.category for item in by_order.items} == {
        Category.AMOUNT_MISMATCH,
        Category.DUPLICATE,
    }
    by_refund = run(lines, ours, match_refund_no=True)
    assert by_refund.is_clean
    assert by_refund.counts()[Category.MATCHED] == 2


@pytest.mark.parametrize(
    "at",
    [END - timedelta(minutes=3), END + timedelta(minutes=2), START + timedelta(minutes=10)],
    ids=["before-midnight", "after-midnight", "after-start"],
)
def test_near_midnight_is_pending_until_the_carry_passes(at: datetime) -> None:
    lines = [line("A", 100), line("LATE", 30, at=at)]
    ours = [entry("A", 100), entry("EARLY", 45, at=at)]
    before = run(lines, ours, as_of=END + timedelta(hours=6))
    assert [item.category for item in before.items] == [Category.PENDING] * 2
    assert before.is_clean  # pending is not a break
    assert before.counts()[Category.PENDING] == 2
    deadline = END + timedelta(days=2)
    after = run(lines, ours, as_of=deadline)
    assert sorted(item.category for item in after.items) == [
        Category.MISSING_OURS,
        Category.MISSING_STATEMENT,
    ]
    assert not after.is_clean
    just_before = run(lines, ours, as_of=deadline - timedelta(seconds=1))
    assert {item.category for item in just_before.items} == {Category.PENDING}


def test_far_from_midnight_is_a_break_at_once() -> None:
    report = run([line("A", 100, at=END - timedelta(minutes=16))], [])
    assert only(report).category is Category.MISSING_OURS


def test_window_and_carry_are_configurable() -> None:
    at = END - timedelta(hours=1)
    lines = [line("A", 100, at=at)]
    wide = run(lines, [], window=timedelta(hours=2), carry_for=timedelta(hours=1))
    assert only(wide).category is Category.MISSING_OURS  # as_of is past END + 1 h
    assert only(run(lines, [], window=timedelta(hours=2))).category is Category.PENDING


def test_mismatches_near_midnight_are_still_breaks() -> None:
    at = END - timedelta(minutes=1)
    item = only(run([line("A", 100, at=at)], [entry("A", 99, at=at)]))
    assert item.category is Category.AMOUNT_MISMATCH


def test_day_zone_moves_the_boundaries() -> None:
    at = datetime(2026, 11, 23, 23, 58, tzinfo=UTC)  # near midnight in UTC, not in Shanghai
    assert only(run([line("A", 1, at=at)], [])).category is Category.MISSING_OURS
    assert only(run([line("A", 1, at=at)], [], day_zone="UTC")).category is Category.PENDING


def test_mixed_currencies_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        run([line("A", 1)], [entry("A", 1)._replace(currency="USD")])
    assert caught.value.field == "currency"


def test_naive_as_of_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        run([], [], as_of=datetime(2026, 11, 24, 6))
    assert caught.value.field == "as_of"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"tolerance_minor": -1}, "tolerance_minor"),
        ({"tolerance_minor": 0.5}, "tolerance_minor"),
        ({"window": timedelta(minutes=-1)}, "window"),
        ({"carry_for": 3}, "carry_for"),
        ({"day_zone": "Asia/Nowhere"}, "day_zone"),
    ],
)
def test_options_are_validated(options: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ReconcileOptions(**options)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_every_category_at_once_and_the_report_views() -> None:
    report = run(
        [
            line("OK", 100),
            line("ONLY-BANK", 10),
            line("AMT", 55),
            line("STAT", 20, "closed"),
            line("OK", 100),
            line("LATE", 7, at=END - timedelta(minutes=1)),
        ],
        [
            entry("OK", 100),
            entry("ONLY-US", 30),
            entry("AMT", 50),
            entry("STAT", 20),
        ],
    )
    counts = report.counts()
    assert counts == {
        Category.MATCHED: 1,
        Category.MISSING_OURS: 1,
        Category.MISSING_STATEMENT: 1,
        Category.AMOUNT_MISMATCH: 1,
        Category.STATUS_MISMATCH: 1,
        Category.DUPLICATE: 1,
        Category.PENDING: 1,
    }
    assert sum(report.side_counts("statement").values()) == 6
    assert sum(report.side_counts("ours").values()) == 4
    assert report.statement_total_minor - report.our_total_minor == 292 - 200
    assert sum(report.differences().values()) == 92
    assert len(report.breaks) == 5
    assert len(report.pending) == 1

    data = report.to_json()
    assert data["bridge"] == {"statement_minus_ours_minor": 92, "sum_of_differences_minor": 92}
    assert data["categories"]["duplicate"] == {
        "count": 1,
        "statement_lines": 1,
        "our_entries": 0,
        "difference_minor": 100,
    }
    assert data["clean"] is False
    assert [item["category"] for item in data["items"]] == [
        "missing_ours",
        "missing_statement",
        "amount_mismatch",
        "status_mismatch",
        "duplicate",
        "pending",
    ]

    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == 6
    amount_row = next(row for row in rows if row["category"] == "amount_mismatch")
    assert amount_row["statement_amount_minor"] == "55"
    assert amount_row["our_amount_minor"] == "50"
    assert amount_row["difference_minor"] == "5"
    assert amount_row["statement_line_no"] == "3"


def test_csv_defuses_spreadsheet_formulas_from_the_file() -> None:
    report = run([line("=HYPERLINK(1)", 1), line("-2+3", 1)], [])
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert {row["order_no"] for row in rows} == {"'=HYPERLINK(1)", "'-2+3"}


def test_the_report_builder_refuses_a_lost_item() -> None:
    good = run([line("A", 100), line("B", 7)], [entry("A", 100)])
    kwargs = dict(
        day=DAY,
        as_of=NEXT_MORNING,
        currency="CNY",
        statement_amounts=[100, 7],
        our_amounts=[100],
        matched_count=1,
        matched_statement_minor=100,
        matched_our_minor=100,
    )
    assert build_report(items=good.items, **kwargs) == good  # type: ignore[arg-type]
    with pytest.raises(BridgeBroken, match="statement: 2 inputs but 1 matched"):
        build_report(items=(), **kwargs)  # type: ignore[arg-type]
    tampered = dataclasses.replace(good.items[0], statement_amount_minor=6)
    with pytest.raises(BridgeBroken, match="statement: total 107 but matched 100 \\+ items 6"):
        build_report(items=(tampered,), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(BridgeBroken, match="statement: 2 inputs but 1 matched \\+ 2 items"):
        build_report(items=good.items * 2, **kwargs)  # type: ignore[arg-type]
