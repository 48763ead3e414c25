"""Money as integer minor units, and exact conversion from and to major-unit text.

Payment channels speak in two dialects: Alipay sends ``total_amount=88.88`` (yuan as
text), WeChat Pay sends ``"total": 8888`` (fen as an integer). Both end up here as
``Money(8888, "CNY")``. Floats never appear: text is parsed with ``Decimal`` under a
strict grammar, so "88.888", "1e3", "NaN" and " 1" are refused rather than rounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ringback.core.errors import InvalidInput

# ISO 4217 minor-unit exponents for the currencies payment channels in and around
# China settle in. An unknown currency is refused: guessing 2 would silently turn
# 100 yen into 1 yen.
CURRENCY_EXPONENTS: dict[str, int] = {
    "AUD": 2,
    "BHD": 3,
    "CAD": 2,
    "CHF": 2,
    "CNY": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "IDR": 2,
    "INR": 2,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "MOP": 2,
    "MYR": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PHP": 2,
    "RUB": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TWD": 2,
    "USD": 2,
    "VND": 0,
}

# Amounts must fit a signed 64-bit column in every store.
MAX_AMOUNT_MINOR = 2**63 - 1

# Longest text accepted before any parsing: longer input cannot fit MAX_AMOUNT_MINOR.
_MAX_TEXT_LEN = 24

_DIGITS = re.compile(r"(-?)(?:0|[1-9][0-9]*)(?:\.([0-9]+))?")


def minor_unit_exponent(currency: str, *, field: str = "currency") -> int:
    """Decimal places of ``currency`` (CNY 2, JPY 0, KWD 3). Raises InvalidInput."""
    if not isinstance(currency, str):
        raise InvalidInput("currency must be a three-letter code", field=field)
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise InvalidInput(
            f"unknown currency {currency[:8]!r} (expected an ISO 4217 code such as CNY)",
            field=field,
        ) from None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in the currency's minor unit (fen for CNY, yen for JPY)."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass; True yuan is not an amount.
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise InvalidInput("amount_minor must be an integer", field="amount_minor")
        if abs(self.amount_minor) > MAX_AMOUNT_MINOR:
            raise InvalidInput("amount_minor is out of range", field="amount_minor")
        minor_unit_exponent(self.currency)

    @property
    def exponent(self) -> int:
        return CURRENCY_EXPONENTS[self.currency]

    def to_decimal(self) -> Decimal:
        """The amount in major units, exactly (Decimal('88.88'))."""
        return Decimal(self.amount_minor).scaleb(-self.exponent)

    def __str__(self) -> str:
        return f"{format_major(self)} {self.currency}"


def parse_major(
    text: str,
    currency: str,
    *,
    allow_negative: bool = False,
    field: str = "amount",
) -> Money:
    """Parse major-unit text ("88.88", "0.01", "100") exactly into ``Money``.

    Accepted: optional "-" (only with ``allow_negative``), an integer part without
    leading zeros, and at most as many decimals as the currency has. Everything else
    (exponents, spaces, "+", "NaN", "Infinity", "1.", ".5", non-text) is refused.
    """
    exponent = minor_unit_exponent(currency)
    if not isinstance(text, str):
        raise InvalidInput(
            f"amount must be text such as '88.88', not {type(text).__name__}", field=field
        )
    if len(text) > _MAX_TEXT_LEN:
        raise InvalidInput("amount is too long", field=field)
    match = _DIGITS.fullmatch(text)
    if match is None:
        raise InvalidInput(f"amount {text!r} is not a plain decimal number", field=field)
    sign, fraction = match.group(1), match.group(2) or ""
    if sign and not allow_negative:
        raise InvalidInput(f"amount {text!r} must not be negative", field=field)
    if len(fraction) > exponent:
        places = "no decimals" if exponent == 0 else f"at most {exponent} decimals"
        raise InvalidInput(f"amount {text!r}: {currency} takes {places}", field=field)
    # Decimal of the validated text is exact, and with no more decimals than the
    # exponent, scaling by 10**exponent leaves a whole number ("-0.00" becomes 0).
    amount_minor = int(Decimal(text).scaleb(exponent))
    if abs(amount_minor) > MAX_AMOUNT_MINOR:
        raise InvalidInput(f"amount {text!r} is out of range", field=field)
    return Money(amount_minor, currency)


def format_major(money: Money) -> str:
    """Major-unit text with exactly the currency's decimals: "88.88", "0.01", "100"."""
    exponent = money.exponent
    sign = "-" if money.amount_minor < 0 else ""
    magnitude = abs(money.amount_minor)
    if exponent == 0:
        return f"{sign}{magnitude}"
    whole, fraction = divmod(magnitude, 10**exponent)
    return f"{sign}{whole}.{fraction:0{exponent}d}"
