from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringback.core.errors import InvalidInput
from ringback.domain.payments.money import (
    CURRENCY_EXPONENTS,
    MAX_AMOUNT_MINOR,
    Money,
    format_major,
    minor_unit_exponent,
    parse_major,
)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("88.88", "CNY", 8888),
        ("0.01", "CNY", 1),
        ("100", "CNY", 10000),
        ("100.5", "CNY", 10050),
        ("0", "CNY", 0),
        ("100", "JPY", 100),
        ("1.234", "KWD", 1234),
        ("92233720368547758.07", "CNY", MAX_AMOUNT_MINOR),
    ],
)
def test_parse_major_is_exact(text: str, currency: str, minor: int) -> None:
    assert parse_major(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    "text",
    [
        "88.888",  # more decimals than CNY has
        "1e3",
        "1E3",
        "-1",
        "NaN",
        "nan",
        "Infinity",
        " 1",
        "1 ",
        "1 000",
        "+1",
        "1.",
        ".5",
        "01",
        "1,00",
        "",
        "１",  # full-width digit: int() would take it, money must not
        "92233720368547758.08",  # one fen past the 64-bit limit
        "1" * 30,
    ],
)
def test_parse_major_refuses_anything_but_plain_decimals(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_major(text, "CNY", field="total_amount")
    assert caught.value.field == "total_amount"


def test_parse_major_refuses_floats_and_other_non_text() -> None:
    for value in (88.88, 8888, Decimal("88.88"), None, b"88.88"):
        with pytest.raises(InvalidInput, match="must be text"):
            parse_major(value, "CNY")  # type: ignore[arg-type]


def test_negative_only_when_allowed() -> None:
    assert parse_major("-0.01", "CNY", allow_negative=True) == Money(-1, "CNY")
    assert parse_major("-0.00", "CNY", allow_negative=True) == Money(0, "CNY")
    with pytest.raises(InvalidInput, match="negative"):
        parse_major("-0.01", "CNY")


def test_currency_exponents() -> None:
    assert minor_unit_exponent("CNY") == 2
    assert minor_unit_exponent("JPY") == 0
    assert minor_unit_exponent("BHD") == 3
    with pytest.raises(InvalidInput, match="JPY takes no decimals"):
        parse_major("100.0", "JPY")
    for bad in ("cny", "XXX", "", "RMB"):
        with pytest.raises(InvalidInput) as caught:
            parse_major("1", bad)
        assert caught.value.field == "currency"


def test_format_major() -> None:
    assert format_major(Money(8888, "CNY")) == "88.88"
    assert format_major(Money(1, "CNY")) == "0.01"
    assert format_major(Money(10000, "CNY")) == "100.00"
    assert format_major(Money(100, "JPY")) == "100"
    assert format_major(Money(1, "KWD")) == "0.001"
    assert format_major(Money(-5, "CNY")) == "-0.05"
    assert str(Money(8888, "CNY")) == "88.88 CNY"
    assert Money(8888, "CNY").to_decimal() == Decimal("88.88")


def test_money_refuses_non_integers() -> None:
    for bad in (88.88, True, "8888", Decimal(8888)):
        with pytest.raises(InvalidInput) as caught:
            Money(bad, "CNY")  # type: ignore[arg-type]
        assert caught.value.field == "amount_minor"
    with pytest.raises(InvalidInput):
        Money(MAX_AMOUNT_MINOR + 1, "CNY")


money_values = st.builds(
    Money,
    st.integers(min_value=-MAX_AMOUNT_MINOR, max_value=MAX_AMOUNT_MINOR),
    st.sampled_from(sorted(CURRENCY_EXPONENTS)),
)


@given(money_values)
def test_parse_of_format_is_identity(money: Money) -> None:
    text = format_major(money)
    assert parse_major(text, money.currency, allow_negative=True) == money
    # The text is what Decimal would print for the value at the currency's precision.
    assert Decimal(text) == money.to_decimal()


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=0, max_value=10**12))
def test_parsed_value_equals_the_decimal_it_reads(value: Decimal) -> None:
    text = f"{value:f}"
    money = parse_major(text, "CNY")
    assert Decimal(money.amount_minor) == value * 100
    assert isinstance(money.amount_minor, int)
