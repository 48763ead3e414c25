"""What every dashboard page is built from: the services, the session signer, the
optional feature providers, and the context each template starts with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ringback.core.clock import Clock
from ringback.core.service import JobService
from ringback.core.service.stats import StatsService
from ringback.interfaces.dashboard.auth import Operator
from ringback.interfaces.dashboard.providers import PaymentsView, StatementsView
from ringback.interfaces.dashboard.session import SessionSigner

BASE = "/dashboard"


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    title: str
    href: str


NAV = (
    NavItem("overview", "Overview", BASE),
    NavItem("jobs", "Jobs", f"{BASE}/jobs"),
    NavItem("endpoints", "Endpoints", f"{BASE}/endpoints"),
    NavItem("payments", "Payments", f"{BASE}/payments"),
    NavItem("statements", "Statements", f"{BASE}/statements"),
)


@dataclass(frozen=True, slots=True)
class Dashboard:
    jobs: JobService
    stats: StatsService
    signer: SessionSigner
    clock: Clock
    state_dir: Path | None = None  # the supervisor's state folder (None: not supervised)
    payments: PaymentsView | None = None  # None: payments are not configured
    statements: StatementsView | None = None  # None: statements are not configured
    secure_cookie: bool | None = None  # None: Secure when the request came over https

    def page(
        self, operator: Operator | None, *, active: str, title: str, **extra: Any
    ) -> dict[str, Any]:
        """The template context: layout values first, then the page's own."""
        return {
            "base": BASE,
            "nav": NAV,
            "active": active,
            "title": title,
            "operator": operator,
            "now": self.clock.now(),
            "flash": None,
            **extra,
        }
