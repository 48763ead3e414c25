"""Counters for the payment-operations work: statement pulls and reconciliation breaks.

The domain layer may not import interfaces, so it never touches these directly: it
reports what happened (a pull's result, the breaks a reconciliation found) and the
runtime, which wires the domain up, turns each report into a call here. The
counters live with the dispatcher's in the same registry, so under ``ringback
serve`` they reach the API's ``/metrics`` from whichever worker ran the pull.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from ringback.core.errors import InvalidInput

# Label values become time series; a long or empty one is a bug in the caller.
MAX_LABEL_CHARS = 64


class DomainMetrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.pulls = Counter(
            "ringback_statement_pulls",
            "Bank statement pulls, by source and result (e.g. ready, not_ready, error).",
            ["source", "result"],
            registry=registry,
        )
        self.breaks = Counter(
            "ringback_reconciliation_breaks",
            "Reconciliation breaks found, by statement source and break category.",
            ["source", "category"],
            registry=registry,
        )

    def statement_pull(self, source: str, result: str) -> None:
        """Count one pull of ``source``'s statement that ended in ``result``."""
        self.pulls.labels(source=_label(source, "source"), result=_label(result, "result")).inc()

    def reconciliation_breaks(self, source: str, category: str, count: int = 1) -> None:
        """Count ``count`` breaks of ``category`` found reconciling ``source``."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidInput("count is a whole number, 0 or more", field="count")
        if count:
            self.breaks.labels(
                source=_label(source, "source"), category=_label(category, "category")
            ).inc(count)


def _label(value: str, field: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_LABEL_CHARS:
        raise InvalidInput(f"a label value of 1 to {MAX_LABEL_CHARS} characters", field=field)
    return value
