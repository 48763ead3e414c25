"""The simulated bank through a real aiohttp server on loopback, driven by a FakeClock."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from ringback.core.clock import FakeClock
from ringback.domain.statements import StatementLine, decode_statement, parse_format_spec
from ringback.domain.statements.simulator import (
    BAD_REQUEST,
    NO_STATEMENT,
    NOT_READY,
    OK,
    SIMULATOR_FORMAT,
    STATEMENT_PATH,
    TOO_FREQUENT,
    bank_requests,
    create_bank_app,
    make_statement_file,
)

DAY = date(2026, 11, 23)
MIDNIGHT = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 2026-11-24 00:00 in Shanghai
READY_AT = MIDNIGHT + timedelta(hours=2, minutes=10)
LINES = [
    StatementLine(
        0, "T20261123000001", "B0001", 8888, "CNY", "paid", MIDNIGHT - timedelta(hours=9), ""
    ),
    StatementLine(
        0, "T20261123000002", "B0002", 120000, "CNY", "paid", MIDNIGHT - timedelta(hours=3), ""
    ),
    StatementLine(
        0,
        "T20261123000001",
        "B0001",
        -1200,
        "CNY",
        "refunded",
        MIDNIGHT - timedelta(hours=1),
        "",
        "RF1",
    ),
]


@dataclass
class Bank:
    app: web.Application
    clock: FakeClock
    url: str
    session: aiohttp.ClientSession

    async def ask(self, body: Any, *, raw: bytes | None = None) -> dict[str, Any]:
        json_body = None if raw is not None else body
        async with self.session.post(self.url, json=json_body, data=raw) as response:
            assert response.status == 200
            answer: dict[str, Any] = await response.json()
            return answer


@pytest.fixture
async def bank() -> AsyncIterator[Bank]:
    clock = FakeClock(MIDNIGHT + timedelta(minutes=5))
    app = create_bank_app(clock, ready_at=READY_AT, statements={DAY: LINES})
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as session:
        yield Bank(app, clock, f"http://{host}:{port}{STATEMENT_PATH}", session)
    await runner.cleanup()


ASK = {"date": "2026-11-23", "merchant": "898310048160001"}


async def test_not_ready_then_ready_every_thirty_minutes(bank: Bank) -> None:
    codes = []
    while True:
        answer = await bank.ask(ASK)
        codes.append(answer["code"])
        if answer["code"] == OK:
            break
        assert answer == {"code": NOT_READY, "msg": "系统错误"}
        bank.clock.advance(timedelta(minutes=30))
    # 00:05, 00:35, 01:05, 01:35, 02:05 are before 02:10; 02:35 gets the file.
    assert codes == [NOT_READY] * 5 + [OK]
    decoded = decode_statement(answer["file"])
    assert decoded.name == "对账单_20261123.txt"
    parsed = parse_format_spec(SIMULATOR_FORMAT).parse(decoded.text)
    assert [line._replace(line_no=0, raw="") for line in parsed.lines] == LINES
    requests = bank_requests(bank.app)
    assert [request.at for request in requests] == [
        MIDNIGHT + timedelta(minutes=5 + 30 * n) for n in range(6)
    ]
    assert {request.merchant for request in requests} == {"898310048160001"}


async def test_requests_closer_than_the_interval_are_refused_and_recorded(bank: Bank) -> None:
    first = bank.clock.now()
    assert (await bank.ask(ASK))["code"] == NOT_READY
    bank.clock.advance(timedelta(minutes=10))
    refused = await bank.ask(ASK)
    assert refused["code"] == TOO_FREQUENT
    assert "30分钟" in refused["msg"]
    bank.clock.advance(timedelta(minutes=19, seconds=59))
    assert (await bank.ask(ASK))["code"] == TOO_FREQUENT
    # The refusals did not restart the interval: 30 minutes after the first answer is fine.
    bank.clock.set(first + timedelta(minutes=30))
    assert (await bank.ask(ASK))["code"] == NOT_READY
    assert [(r.at - first, r.code) for r in bank_requests(bank.app)] == [
        (timedelta(0), NOT_READY),
        (timedelta(minutes=10), TOO_FREQUENT),
        (timedelta(minutes=29, seconds=59), TOO_FREQUENT),
        (timedelta(minutes=30), NOT_READY),
    ]


async def test_the_interval_is_per_merchant(bank: Bank) -> None:
    assert (await bank.ask(ASK))["code"] == NOT_READY
    other = {**ASK, "merchant": "898310048160002"}
    assert (await bank.ask(other))["code"] == NOT_READY
    assert (await bank.ask(ASK))["code"] == TOO_FREQUENT


async def test_ready_but_no_file_for_that_day(bank: Bank) -> None:
    bank.clock.set(READY_AT)
    answer = await bank.ask({**ASK, "date": "2026-11-22"})
    assert answer["code"] == NO_STATEMENT
    assert "file" not in answer


@pytest.mark.parametrize(
    ("body", "raw"),
    [
        (None, b"{not json"),
        (["2026-11-23"], None),
        ({"date": "2026-11-23"}, None),
        ({"merchant": "898310048160001", "date": "23/11/2026"}, None),
    ],
)
async def test_bad_requests_are_answered_and_do_not_use_the_interval(
    bank: Bank, body: Any, raw: bytes | None
) -> None:
    answer = await bank.ask(body, raw=raw)
    assert answer["code"] == BAD_REQUEST
    assert answer["msg"].startswith("参数错误")
    assert (await bank.ask(ASK))["code"] == NOT_READY


async def test_prebuilt_zip_bytes_are_served_as_they_are() -> None:
    clock = FakeClock(READY_AT)
    archive = make_statement_file(LINES, day=DAY, merchant_name="成都锦里蜀锦坊")
    app = create_bank_app(clock, ready_at=READY_AT, statements={DAY: archive})
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://{host}:{port}{STATEMENT_PATH}", json=ASK) as response,
        ):
            answer = await response.json()
    finally:
        await runner.cleanup()
    assert answer["code"] == OK
    decoded = decode_statement(answer["file"])
    assert decoded.raw_sha256 == hashlib.sha256(archive).hexdigest()
    assert "成都锦里蜀锦坊" in decoded.text
