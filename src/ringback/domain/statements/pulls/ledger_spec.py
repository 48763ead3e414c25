"""Which records a statement is reconciled against: ``ledger = "…"`` in a source.

* ``"orders"`` — ringback's own payment orders (namespace ``payments.order``), every app;
* ``"orders:<app_id>"`` — one merchant app's orders;
* ``"csv:<path>"`` — a CSV export of our ledger (see ``parse_ledger_csv``), read at each
  reconciliation; a relative path is taken from the data folder;
* ``"none"`` — no automatic reconciliation (``ringback reconcile --ledger-csv`` still works).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from ringback.core.errors import ConfigError


class LedgerKind(enum.StrEnum):
    ORDERS = "orders"
    CSV = "csv"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class LedgerSpec:
    kind: LedgerKind
    app_id: str | None = None  # orders of one app only
    path: Path | None = None  # the CSV file

    def describe(self) -> str:
        if self.kind is LedgerKind.ORDERS:
            return "orders" if self.app_id is None else f"orders:{self.app_id}"
        if self.kind is LedgerKind.CSV:
            return f"csv:{self.path}"
        return "none"


def parse_ledger_spec(text: str, *, base_dir: Path, field: str) -> LedgerSpec:
    kind, colon, rest = text.partition(":")
    if kind == "none" and not colon:
        return LedgerSpec(LedgerKind.NONE)
    if kind == "orders":
        if colon and not rest:
            raise ConfigError("name the app after 'orders:', or write just 'orders'", field=field)
        return LedgerSpec(LedgerKind.ORDERS, app_id=rest or None)
    if kind == "csv" and rest:
        return LedgerSpec(LedgerKind.CSV, path=(base_dir / rest).resolve())
    raise ConfigError(
        f"ledger is 'orders', 'orders:<app_id>', 'csv:<path>' or 'none', not {text!r}",
        field=field,
    )
