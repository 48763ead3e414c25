"""Exact money from statement text: Decimal to integer minor units, never float.

A value with more decimals than the currency has ("88.888" for yuan) is an error, not a
rounding: a bank file that disagrees with itself must be looked at by a person.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

YUAN = "yuan"  # a decimal number of major units: "88.88", "-12.00"
FEN = "fen"  # an integer number of minor units: "8888"
AMOUNT_UNITS = (YUAN, FEN)

# ASCII digits only: \d would also take full-width and other Unicode digits.
_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?\Z")
_GROUPED_DECIMAL = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")


class AmountError(ValueError):
    """The text is not an amount in the expected format (the caller adds the line)."""


class AmountParser:
    """Parse amounts of one configured shape; built once per file, called per row."""

    def __init__(self, unit: str = YUAN, *, minor_digits: int = 2, thousands: bool = False):
        self.unit = unit
        self.minor_digits = minor_digits
        self.thousands = thousands

    def __call__(self, text: str) -> int:
        text = text.strip()
        if self.unit == FEN:
            if _INTEGER.match(text) is None:
                raise AmountError(f"amount {text!r} is not a whole number of minor units")
            return int(text)
        if _PLAIN_DECIMAL.match(text) is None:
            if not (self.thousands and _GROUPED_DECIMAL.match(text)):
                raise AmountError(f"amount {text!r} is not a decimal number")
            text = text.replace(",", "")
        try:
            scaled = Decimal(text).scaleb(self.minor_digits)
        except InvalidOperation as exc:  # unreachable after the pattern, kept for safety
            raise AmountError(f"amount {text!r} is not a decimal number") from exc
        minor = int(scaled)
        if minor != scaled:
            raise AmountError(f"amount {text!r} has more than {self.minor_digits} decimal places")
        return minor


def format_minor(amount_minor: int, minor_digits: int = 2) -> str:
    """Minor units back to a decimal string for messages and reports: -1234 → "-12.34"."""
    return str(Decimal(amount_minor).scaleb(-minor_digits))
