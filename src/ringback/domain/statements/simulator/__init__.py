"""A simulated bank (and its statement files) for tests and the demo."""

from .bank import (
    BAD_REQUEST,
    NO_STATEMENT,
    NOT_READY,
    OK,
    STATEMENT_PATH,
    TOO_FREQUENT,
    BankRequest,
    bank_requests,
    create_bank_app,
)
from .statement_file import SIMULATOR_FORMAT, make_statement_file, statement_text
from .zipwriter import build_zip

__all__ = [
    "BAD_REQUEST",
    "NOT_READY",
    "NO_STATEMENT",
    "OK",
    "SIMULATOR_FORMAT",
    "STATEMENT_PATH",
    "TOO_FREQUENT",
    "BankRequest",
    "bank_requests",
    "build_zip",
    "create_bank_app",
    "make_statement_file",
    "statement_text",
]
