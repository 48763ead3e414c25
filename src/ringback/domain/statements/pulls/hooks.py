"""What the runtime learns from pulls: counts for metrics, and where alerts go.

The domain may not import the interfaces (metrics live there), so the runtime hands in
plain callables. A hook that raises is logged and otherwise ignored: a metric must never
cost a statement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("ringback.statements")


def _ignore_pull(source: str, result: str) -> None:
    return None


def _ignore_breaks(source: str, category: str, count: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class StatementHooks:
    # (source, result): one per request sent (ready, not_ready, too_frequent, error),
    # and rejected (file refused) / gave_up (deadline) when a pull fails.
    pull_result: Callable[[str, str], None] = _ignore_pull
    # (source, category, count): breaks found by a reconciliation, per category.
    breaks_found: Callable[[str, str, int], None] = _ignore_breaks
    # Where a "statement has breaks" alert is POSTed ([alerts] callback_url); "" = none.
    alert_url: str = ""

    def pulled(self, source: str, result: str) -> None:
        try:
            self.pull_result(source, result)
        except Exception:
            log.exception("the statement pull hook failed")

    def found_breaks(self, source: str, category: str, count: int) -> None:
        try:
            self.breaks_found(source, category, count)
        except Exception:
            log.exception("the reconciliation breaks hook failed")
