"""The bridge, as a property: whatever the inputs, every line and every entry lands in
exactly one category, and statement total − our total = Σ per-item differences."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.domain.statements import (
    Category,
    LedgerEntry,
    ReconcileOptions,
    StatementLine,
    reconcile,
)

DAY = date(2026, 11, 23)
START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
END = START + timedelta(days=1)

# Few distinct numbers, so that matches, collisions and duplicates are all common.
order_nos = st.sampled_from(["T1", "T2", "T3", "T4", "T5", "T6"])
txn_nos = st.none() | st.sampled_from(["W1", "W2", "W3", "W4"])
refund_nos = st.none() | st.sampled_from(["R1", "R2"])
statuses = st.sampled_from(["paid", "refunded", "closed"])
amounts = st.integers(min_value=-50_000, max_value=50_000)
times = st.integers(min_value=-90, max_value=24 * 60 + 90).map(
    lambda minutes: START + timedelta(minutes=minutes)
)

statement_lines = st.lists(
    st.tuples(order_nos, txn_nos, amounts, statuses, times, refund_nos), max_size=25
).map(
    lambda rows: [
        StatementLine(n, order, txn, amount, "CNY", status, at, f"row {n}", refund)
        for n, (order, txn, amount, status, at, refund) in enumerate(rows, start=1)
    ]
)
ledger = st.lists(
    st.builds(
        LedgerEntry,
        order_nos,
        txn_nos,
        amounts,
        st.just("CNY"),
        statuses,
        times,
        refund_nos,
    ),
    max_size=25,
)
options = st.builds(
    ReconcileOptions,
    tolerance_minor=st.integers(min_value=0, max_value=100),
    window=st.integers(min_value=0, max_value=120).map(lambda m: timedelta(minutes=m)),
    carry_for=st.integers(min_value=0, max_value=72).map(lambda h: timedelta(hours=h)),
    match_refund_no=st.booleans(),
)
as_of_offsets = st.integers(min_value=0, max_value=96).map(lambda h: END + timedelta(hours=h))

STATEMENT_ONLY = {Category.MISSING_OURS, Category.DUPLICATE, Category.PENDING}
OURS_ONLY = {Category.MISSING_STATEMENT, Category.DUPLICATE, Category.PENDING}
PAIRS = {Category.AMOUNT_MISMATCH, Category.STATUS_MISMATCH}


@settings(max_examples=300, deadline=None)
@given(lines=statement_lines, ours=ledger, opts=options, as_of=as_of_offsets)
def test_every_item_once_and_the_bridge_holds(
    lines: list[StatementLine],
    ours: list[LedgerEntry],
    opts: ReconcileOptions,
    as_of: datetime,
) -> None:
    report = reconcile(lines, ours, day=DAY, as_of=as_of, options=opts)

    # The bridge, recomputed here from the raw inputs and the items.
    statement_total = sum(line.amount_minor for line in lines)
    our_total = sum(entry.amount_minor for entry in ours)
    explained = report.matched_difference_minor + sum(
        item.difference_minor for item in report.items
    )
    assert statement_total - our_total == explained
    assert sum(report.differences().values()) == explained

    # Every statement line exactly once: listed items have distinct line numbers, and the
    # rest are matched pairs.
    statement_items = [item for item in report.items if item.side in ("statement", "both")]
    line_nos = [item.statement_line_no for item in statement_items]
    assert len(line_nos) == len(set(line_nos))
    assert set(line_nos) <= {line.line_no for line in lines}
    assert len(statement_items) + report.matched_count == len(lines)
    assert sum(report.side_counts("statement").values()) == len(lines)

    # Every entry exactly once: the listed ones are a sub-multiset of ours.
    our_items = [item for item in report.items if item.side in ("ours", "both")]
    assert len(our_items) + report.matched_count == len(ours)
    assert sum(report.side_counts("ours").values()) == len(ours)
    listed = Counter((item.our_status, item.our_amount_minor) for item in our_items)
    available: Counter[tuple[str | None, int | None]] = Counter(
        (entry.status, entry.amount_minor) for entry in ours
    )
    assert not listed - available

    # Categories fit their side; pending only while carrying; matched within tolerance.
    for item in report.items:
        allowed = {"statement": STATEMENT_ONLY, "ours": OURS_ONLY, "both": PAIRS}[item.side]
        assert item.category in allowed
        if item.category is Category.AMOUNT_MISMATCH:
            assert abs(item.difference_minor) > opts.tolerance_minor
        if item.category is Category.PENDING:
            assert as_of < END + opts.carry_for
            assert min(abs(item.occurred_at - START), abs(item.occurred_at - END)) <= opts.window
    assert abs(report.matched_difference_minor) <= opts.tolerance_minor * report.matched_count

    # Identical inputs on both sides reconcile clean apart from duplicates.
    mirror = [
        LedgerEntry(
            line.order_no,
            line.channel_txn_no,
            line.amount_minor,
            line.currency,
            line.status,
            line.occurred_at,
            line.refund_no,
        )
        for line in lines
    ]
    twin = reconcile(lines, mirror, day=DAY, as_of=as_of, options=opts)
    assert {item.category for item in twin.items} <= {Category.DUPLICATE}
