"""A statement source written as a plugin (``kind = "plugin"``), for the tests: not ready
for its first two calls, then the simulated bank's file as bytes."""

from __future__ import annotations

from collections import Counter

from ringback.core.executors.task import Retry
from ringback.domain.statements.pulls import PluginRequest
from ringback.domain.statements.simulator import make_statement_file

from .statements_env import line

calls: Counter[str] = Counter()


async def fetch(request: PluginRequest) -> bytes:
    calls[request.day.isoformat()] += 1
    if calls[request.day.isoformat()] <= request.options["not_ready_calls"]:
        raise Retry("the export job has not run yet")
    return make_statement_file([line(1, 8888), line(2, 1200)], day=request.day)


def not_async(request: PluginRequest) -> bytes:
    return b""
