"""Reconciliation of a parsed statement against our own records."""

from .ledger import LedgerEntry
from .ledger_csv import parse_ledger_csv
from .matcher import reconcile
from .options import ReconcileOptions
from .report import BridgeBroken, Category, Report, ReportItem, build_report, items_to_csv

__all__ = [
    "BridgeBroken",
    "Category",
    "LedgerEntry",
    "ReconcileOptions",
    "Report",
    "ReportItem",
    "build_report",
    "items_to_csv",
    "parse_ledger_csv",
    "reconcile",
]
