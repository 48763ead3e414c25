"""A statement source written in Python, for banks the HTTP description cannot cover.

```toml
[statements.sources.custom]
kind = "plugin"
plugin = "shop.banks:fetch_statement"
options = { account = "6222-01" }
```

```python
from ringback.core.executors.task import Retry
from ringback.domain.statements.pulls import PluginRequest

async def fetch_statement(request: PluginRequest) -> str | bytes:
    answer = await my_bank.download(request.options["account"], request.day)
    if answer.pending:
        raise Retry("not prepared yet")   # "not ready": asked again after min_interval
    return answer.base64_file            # or the file's bytes
```

ringback still owns the pacing: the function is called only when the minimum interval
allows a request, and at most once per attempt.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ringback.core.errors import ConfigError
from ringback.core.executors.task import Retry

from .answers import Answer, AnswerKind


@dataclass(frozen=True, slots=True)
class PluginRequest:
    source: str
    day: date
    options: Mapping[str, Any] = field(default_factory=dict)


PluginFunction = Callable[[PluginRequest], Awaitable[str | bytes]]


@dataclass(frozen=True, slots=True)
class PluginSource:
    path: str  # "package.module:function"
    function: PluginFunction
    options: Mapping[str, Any] = field(default_factory=dict)
    timeout: timedelta = timedelta(seconds=60)


def load_plugin(path: str, *, field_name: str) -> PluginFunction:
    """Import ``package.module:function``; it must be an ``async def``."""
    module_name, colon, attribute = path.partition(":")
    if not colon or not module_name or not attribute:
        raise ConfigError(
            f"write the plugin as 'package.module:function', not {path!r}", field=field_name
        )
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise ConfigError(
            f"cannot import {module_name!r}: {type(error).__name__}: {error}", field=field_name
        ) from None
    function = getattr(module, attribute, None)
    if function is None or not inspect.iscoroutinefunction(function):
        raise ConfigError(f"{path!r} is not an async function", field=field_name)
    plugin: PluginFunction = function
    return plugin


async def fetch_with_plugin(plugin: PluginSource, source: str, day: date) -> Answer:
    request = PluginRequest(source=source, day=day, options=plugin.options)
    try:
        async with asyncio.timeout(plugin.timeout.total_seconds()):
            payload = await plugin.function(request)
    except Retry as signal:
        return Answer(AnswerKind.NOT_READY, signal.message or "the plugin says: not ready")
    except TimeoutError:
        return Answer(AnswerKind.ERROR, f"the plugin did not answer within {plugin.timeout}")
    except Exception as error:
        first = (str(error).strip().splitlines() or [""])[0]
        return Answer(AnswerKind.ERROR, f"{type(error).__name__}: {first}".rstrip(": "))
    if isinstance(payload, bytes | str) and payload:
        return Answer(AnswerKind.READY, f"the plugin returned {len(payload)} bytes", payload)
    return Answer(AnswerKind.ERROR, f"the plugin returned {type(payload).__name__}, not a file")
