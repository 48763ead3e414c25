"""Match statement lines against our entries and sort every one into a category.

Matching is by order number first, then, for what is left, by the channel's transaction
number. Refunds are keyed apart from payments (a refund is its own money movement).
Only items that need a look become objects; a matched pair is counted and summed, so a
million lines against a million entries is a few dict operations each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from operator import attrgetter

from ringback.core.clock import utc
from ringback.core.errors import InvalidInput

from ..formats.base import REFUNDED, StatementLine
from .ledger import LedgerEntry
from .options import ReconcileOptions
from .report import BOTH, OURS, STATEMENT, Category, Report, ReportItem, build_report

_DEFAULT_OPTIONS = ReconcileOptions()
_REFUND_MARK = "\x1frefund\x1f"
# Stands for "this key was already taken by a statement line" in the by-order index.
_TAKEN = LedgerEntry("", None, 0, "", "", datetime.min, None)

_amount = attrgetter("amount_minor")
_currency = attrgetter("currency")


def reconcile(
    lines: Sequence[StatementLine],
    ours: Sequence[LedgerEntry],
    *,
    day: date,
    as_of: datetime,
    options: ReconcileOptions = _DEFAULT_OPTIONS,
) -> Report:
    """Reconcile one statement day. ``as_of`` decides what is still pending (no hidden clock)."""
    try:
        as_of = utc(as_of)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="as_of") from exc
    currencies = set(map(_currency, lines)) | set(map(_currency, ours))
    if len(currencies) > 1:
        raise InvalidInput(
            f"one currency per reconciliation, found {', '.join(sorted(currencies))}",
            field="currency",
        )
    matcher = _Matcher(options)
    matcher.by_order(lines, ours)
    matcher.by_channel()
    start, end = options.day_bounds(day)
    items = matcher.items + _classify_unmatched(matcher, options, start, end, as_of)
    items.sort(key=_item_order)
    return build_report(
        day=day,
        as_of=as_of,
        currency=next(iter(currencies), None),
        statement_amounts=list(map(_amount, lines)),
        our_amounts=list(map(_amount, ours)),
        matched_count=matcher.matched_count,
        matched_statement_minor=matcher.matched_statement_minor,
        matched_our_minor=matcher.matched_our_minor,
        items=items,
    )


class _Matcher:
    def __init__(self, options: ReconcileOptions) -> None:
        self.tolerance = options.tolerance_minor
        self.by_refund_no = options.match_refund_no
        self.items: list[ReportItem] = []
        self.matched_count = 0
        self.matched_statement_minor = 0
        self.matched_our_minor = 0
        self.left_lines: list[StatementLine] = []
        self.left_ours: list[LedgerEntry] = []

    def refund_key(self, number: str, refund_no: str | None) -> str:
        return number + _REFUND_MARK + ((refund_no or "") if self.by_refund_no else "")

    def by_order(self, lines: Sequence[StatementLine], ours: Sequence[LedgerEntry]) -> None:
        index: dict[str, LedgerEntry] = {}
        remember = index.setdefault
        refund_key = self.refund_key
        for entry in ours:
            key = (
                entry.order_no
                if entry.status != REFUNDED
                else refund_key(entry.order_no, entry.refund_no)
            )
            if remember(key, entry) is not entry:
                self.items.append(_one_sided(Category.DUPLICATE, entry))
        look_up = index.get
        taken = _TAKEN
        left_lines = self.left_lines
        for line in lines:
            key = (
                line.order_no
                if line.status != REFUNDED
                else refund_key(line.order_no, line.refund_no)
            )
            found = look_up(key)
            if found is taken:
                self.items.append(_statement_only(Category.DUPLICATE, line))
                continue
            index[key] = taken
            if found is None:
                left_lines.append(line)
            else:
                self._pair(line, found)
        self.left_ours = [entry for entry in index.values() if entry is not taken]

    def by_channel(self) -> None:
        """Pair what the order numbers left over by the channel's transaction number."""
        index: dict[str, LedgerEntry | None] = {}
        for entry in self.left_ours:
            if entry.channel_txn_no is not None:
                index.setdefault(self._channel_key(entry), entry)
        if not index:
            return
        still_left: list[StatementLine] = []
        paired: set[int] = set()
        for line in self.left_lines:
            found = index.pop(self._channel_key(line), None) if line.channel_txn_no else None
            if found is None:
                still_left.append(line)
            else:
                paired.add(id(found))
                self._pair(line, found)
        self.left_lines = still_left
        self.left_ours = [entry for entry in self.left_ours if id(entry) not in paired]

    def _channel_key(self, item: StatementLine | LedgerEntry) -> str:
        number = item.channel_txn_no or ""
        return number if item.status != REFUNDED else self.refund_key(number, item.refund_no)

    def _pair(self, line: StatementLine, entry: LedgerEntry) -> None:
        if line.status != entry.status:
            self.items.append(_paired(Category.STATUS_MISMATCH, line, entry))
            return
        difference = line.amount_minor - entry.amount_minor
        if difference > self.tolerance or -difference > self.tolerance:
            self.items.append(_paired(Category.AMOUNT_MISMATCH, line, entry))
            return
        self.matched_count += 1
        self.matched_statement_minor += line.amount_minor
        self.matched_our_minor += entry.amount_minor


def _classify_unmatched(
    matcher: _Matcher, options: ReconcileOptions, start: datetime, end: datetime, as_of: datetime
) -> list[ReportItem]:
    carrying = as_of < end + options.carry_for
    window = options.window

    def near_midnight(when: datetime) -> bool:
        return carrying and (abs(when - start) <= window or abs(when - end) <= window)

    items = [
        _statement_only(
            Category.PENDING if near_midnight(line.occurred_at) else Category.MISSING_OURS, line
        )
        for line in matcher.left_lines
    ]
    items += [
        _one_sided(
            Category.PENDING if near_midnight(entry.occurred_at) else Category.MISSING_STATEMENT,
            entry,
        )
        for entry in matcher.left_ours
    ]
    return items


def _statement_only(category: Category, line: StatementLine) -> ReportItem:
    return ReportItem(
        category=category,
        side=STATEMENT,
        order_no=line.order_no,
        channel_txn_no=line.channel_txn_no,
        refund_no=line.refund_no,
        statement_line_no=line.line_no,
        statement_amount_minor=line.amount_minor,
        our_amount_minor=None,
        statement_status=line.status,
        our_status=None,
        occurred_at=line.occurred_at,
    )


def _one_sided(category: Category, entry: LedgerEntry) -> ReportItem:
    return ReportItem(
        category=category,
        side=OURS,
        order_no=entry.order_no,
        channel_txn_no=entry.channel_txn_no,
        refund_no=entry.refund_no,
        statement_line_no=None,
        statement_amount_minor=None,
        our_amount_minor=entry.amount_minor,
        statement_status=None,
        our_status=entry.status,
        occurred_at=entry.occurred_at,
    )


def _paired(category: Category, line: StatementLine, entry: LedgerEntry) -> ReportItem:
    return ReportItem(
        category=category,
        side=BOTH,
        order_no=line.order_no,
        channel_txn_no=line.channel_txn_no or entry.channel_txn_no,
        refund_no=line.refund_no or entry.refund_no,
        statement_line_no=line.line_no,
        statement_amount_minor=line.amount_minor,
        our_amount_minor=entry.amount_minor,
        statement_status=line.status,
        our_status=entry.status,
        occurred_at=line.occurred_at,
    )


_CATEGORY_ORDER = {category: position for position, category in enumerate(Category)}


def _item_order(item: ReportItem) -> tuple[int, str, int]:
    return (_CATEGORY_ORDER[item.category], item.order_no, item.statement_line_no or 0)
