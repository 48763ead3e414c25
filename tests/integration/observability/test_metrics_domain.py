"""The counters the runtime keeps for statement pulls and reconciliation breaks."""

from __future__ import annotations

import pytest
from prometheus_client import generate_latest

from ringback.core.errors import InvalidInput
from ringback.interfaces.observability.metrics_process import Instruments

from .support import Scraped


def test_pulls_and_breaks_are_counted_by_their_labels(instruments: Instruments) -> None:
    domain = instruments.domain
    domain.statement_pull("icbc", "not_ready")
    domain.statement_pull("icbc", "not_ready")
    domain.statement_pull("icbc", "ready")
    domain.reconciliation_breaks("icbc", "amount_mismatch", 3)
    domain.reconciliation_breaks("icbc", "amount_mismatch", 0)  # a clean run adds nothing
    scraped = Scraped(generate_latest(instruments.registry).decode())
    assert scraped.samples("ringback_statement_pulls_total") == {
        (("result", "not_ready"), ("source", "icbc")): 2,
        (("result", "ready"), ("source", "icbc")): 1,
    }
    assert scraped.samples("ringback_reconciliation_breaks_total") == {
        (("category", "amount_mismatch"), ("source", "icbc")): 3,
    }


@pytest.mark.parametrize(
    ("source", "category", "count", "field"),
    [
        ("", "amount_mismatch", 1, "source"),
        ("icbc", "x" * 65, 1, "category"),
        ("icbc", "amount_mismatch", -1, "count"),
        ("icbc", "amount_mismatch", True, "count"),
    ],
)
def test_bad_reports_are_refused_and_count_nothing(
    instruments: Instruments, source: str, category: str, count: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        instruments.domain.reconciliation_breaks(source, category, count)
    assert caught.value.field == field
    scraped = Scraped(generate_latest(instruments.registry).decode())
    assert scraped.samples("ringback_reconciliation_breaks_total") == {}
