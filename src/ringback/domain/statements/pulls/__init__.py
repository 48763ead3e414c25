"""Pulling statements on a schedule, within the bank's rate limit, and reconciling them.

See docs/statements.md. The worker runs ``StatementPuller`` (tasks ``statements.pull`` and
``statements.start``) and ``PullFailureObserver``; the CLI and the API use
``StatementsService``.
"""

from .answers import Answer, AnswerKind, AnswerRule, AnswerRules, classify
from .binding import install_tasks
from .config import parse_statements_config
from .failures import PullFailureObserver
from .gate import NS_GATE, GateState, RequestGate
from .hooks import StatementHooks
from .http_source import HttpSource
from .ledger_spec import LedgerKind, LedgerSpec
from .ledgers import order_entries
from .plugin_source import PluginRequest, PluginSource
from .pull import (
    DATE_LABEL,
    NS_PULL,
    NS_REPORT,
    PULL_TASK,
    SOURCE_LABEL,
    START_TASK,
    Pull,
    PullStatus,
    ReceivedFile,
    pull_job_key,
)
from .pull_jobs import statement_schedules
from .puller import StatementPuller
from .reports import StoredReport
from .service import PullDetail, PullListing, PullTrigger, StatementsService
from .slots import free_slot
from .source import StatementsConfig, StatementSource, parse_day
from .views import pull_detail_view, pull_view, source_view, trigger_view

__all__ = [
    "DATE_LABEL",
    "NS_GATE",
    "NS_PULL",
    "NS_REPORT",
    "PULL_TASK",
    "SOURCE_LABEL",
    "START_TASK",
    "Answer",
    "AnswerKind",
    "AnswerRule",
    "AnswerRules",
    "GateState",
    "HttpSource",
    "LedgerKind",
    "LedgerSpec",
    "PluginRequest",
    "PluginSource",
    "Pull",
    "PullDetail",
    "PullFailureObserver",
    "PullListing",
    "PullStatus",
    "PullTrigger",
    "ReceivedFile",
    "RequestGate",
    "StatementHooks",
    "StatementPuller",
    "StatementSource",
    "StatementsConfig",
    "StatementsService",
    "StoredReport",
    "classify",
    "free_slot",
    "install_tasks",
    "order_entries",
    "parse_day",
    "parse_statements_config",
    "pull_detail_view",
    "pull_job_key",
    "pull_view",
    "source_view",
    "statement_schedules",
    "trigger_view",
]
