"""A simulated bank statement endpoint, speaking the protocol that made ringback necessary.

POST ``/statement`` with JSON ``{"date": "2026-11-23", "merchant": "898310048160001"}``:

* before ``ready_at`` the bank answers ``{"code": "9999", "msg": "系统错误"}``;
* a request less than ``min_interval`` after the merchant's previous answered request is
  refused with ``{"code": "1001", …}`` (it does not restart the interval);
* once ready: ``{"code": "0000", "file": "<base64 of a zip of a GBK | file>"}``, or
  ``{"code": "2001", …}`` for a day it has no file for.

Every request is recorded with the clock's time, so tests can check the caller's pacing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from aiohttp import web

from ringback.core.clock import Clock, utc

from ..formats.base import StatementLine
from .statement_file import make_statement_file

OK = "0000"
NOT_READY = "9999"
TOO_FREQUENT = "1001"
BAD_REQUEST = "1000"
NO_STATEMENT = "2001"
STATEMENT_PATH = "/statement"


@dataclass(frozen=True, slots=True)
class BankRequest:
    at: datetime
    merchant: str | None
    day: str | None
    code: str


@dataclass(slots=True)
class BankState:
    clock: Clock
    ready_at: datetime
    min_interval: timedelta
    files: dict[date, bytes]
    requests: list[BankRequest] = field(default_factory=list)
    last_answered: dict[str, datetime] = field(default_factory=dict)


BANK_STATE = web.AppKey("bank_state", BankState)


def create_bank_app(
    clock: Clock,
    *,
    ready_at: datetime,
    statements: Mapping[date, bytes | Sequence[StatementLine]],
    min_interval: timedelta = timedelta(minutes=30),
) -> web.Application:
    """The bank as an aiohttp app; ``statements`` maps a day to its zip or to its lines."""
    files = {
        day: content if isinstance(content, bytes) else make_statement_file(content, day=day)
        for day, content in statements.items()
    }
    app = web.Application()
    app[BANK_STATE] = BankState(
        clock=clock, ready_at=utc(ready_at), min_interval=min_interval, files=files
    )
    app.router.add_post(STATEMENT_PATH, _statement)
    return app


def bank_requests(app: web.Application) -> list[BankRequest]:
    """Every request the bank has seen, oldest first."""
    return app[BANK_STATE].requests


async def _statement(request: web.Request) -> web.Response:
    state = request.app[BANK_STATE]
    now = state.clock.now()
    parsed = _read_body(await request.read())
    if isinstance(parsed, str):
        return _answer(state, now, None, None, BAD_REQUEST, parsed)
    merchant, day = parsed
    previous = state.last_answered.get(merchant)
    if previous is not None and now < previous + state.min_interval:
        minutes = int(state.min_interval.total_seconds() // 60)
        return _answer(
            state, now, merchant, day, TOO_FREQUENT, f"请求过于频繁，两次查询须间隔{minutes}分钟"
        )
    state.last_answered[merchant] = now
    if now < state.ready_at:
        return _answer(state, now, merchant, day, NOT_READY, "系统错误")
    content = state.files.get(date.fromisoformat(day))
    if content is None:
        return _answer(state, now, merchant, day, NO_STATEMENT, "对账文件不存在")
    return _answer(
        state, now, merchant, day, OK, "成功", file=base64.b64encode(content).decode("ascii")
    )


def _read_body(body: bytes) -> tuple[str, str] | str:
    """(merchant, day) from the request, or the bank's complaint about it."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "参数错误：请求体不是JSON"
    if not isinstance(payload, dict):
        return "参数错误：请求体须为对象"
    merchant = payload.get("merchant")
    day = payload.get("date")
    if not isinstance(merchant, str) or not merchant:
        return "参数错误：缺少merchant"
    if not isinstance(day, str):
        return "参数错误：缺少date"
    try:
        date.fromisoformat(day)
    except ValueError:
        return "参数错误：date格式应为YYYY-MM-DD"
    return merchant, day


def _answer(
    state: BankState,
    now: datetime,
    merchant: str | None,
    day: str | None,
    code: str,
    message: str,
    **extra: Any,
) -> web.Response:
    state.requests.append(BankRequest(at=now, merchant=merchant, day=day, code=code))
    payload = {"code": code, "msg": message, **extra}
    return web.json_response(payload, dumps=lambda value: json.dumps(value, ensure_ascii=False))
