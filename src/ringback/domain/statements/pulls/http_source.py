"""A statement source described in the configuration: one HTTP request per attempt.

```toml
[statements.sources.bank]
kind = "http"
url = "https://bank.example.com/statement"
method = "POST"
json = { merchant = "898310048160001", date = "{date}" }   # or query = {...} for GET
date_format = "%Y-%m-%d"
file = "file"                                             # where the base64 file is
not_ready = { field = "code", equals = "9999" }
too_frequent = { field = "code", equals = "1001" }
ready = { field = "code", equals = "0000" }               # optional
```

``{date}`` in the query, the JSON body, the headers and the URL is the statement's date
written with ``date_format``; ``{yyyymmdd}`` is always the compact form. The URL comes
from the operator's configuration (like a command's program), so it is not put through
the private-address guard that protects callbacks submitted through the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import aiohttp

from ringback.core.jobs import JsonObject

from .answers import Answer, AnswerKind, AnswerRules, classify

# A 50 MiB statement is 67 MiB of base64; anything much larger is not a statement.
MAX_ANSWER_BYTES = 80 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HttpSource:
    url: str
    rules: AnswerRules
    method: str = "POST"
    query: Mapping[str, str] = field(default_factory=dict)
    json_body: JsonObject | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    date_format: str = "%Y-%m-%d"
    timeout: timedelta = timedelta(seconds=60)
    max_answer_bytes: int = MAX_ANSWER_BYTES

    def request_for(
        self, day: date
    ) -> tuple[str, dict[str, str], JsonObject | None, dict[str, str]]:
        """(url, query, JSON body, headers) with the day filled in."""
        values = {"{date}": day.strftime(self.date_format), "{yyyymmdd}": day.strftime("%Y%m%d")}
        return (
            _fill(self.url, values),
            {k: _fill(v, values) for k, v in self.query.items()},
            None if self.json_body is None else _fill(self.json_body, values),
            {k: _fill(v, values) for k, v in self.headers.items()},
        )


class HttpFetcher:
    """Sends the configured requests on one shared connection pool."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def fetch(self, source: HttpSource, day: date) -> Answer:
        url, query, body, headers = source.request_for(day)
        session = self._open()
        timeout = aiohttp.ClientTimeout(total=source.timeout.total_seconds())
        try:
            async with session.request(
                source.method,
                url,
                params=query or None,
                json=body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                raw = await response.content.read(source.max_answer_bytes + 1)
                status = response.status
                charset = response.charset or "utf-8"
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
            return Answer(AnswerKind.ERROR, f"{type(error).__name__}: {detail}".rstrip(": "))
        if len(raw) > source.max_answer_bytes:
            return Answer(
                AnswerKind.ERROR,
                f"the answer is over {source.max_answer_bytes} bytes; not read",
                status_code=status,
            )
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return Answer(AnswerKind.ERROR, f"HTTP {status}: not {charset} text", None, status)
        return classify(status, text, source.rules)

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, text in values.items():
            value = value.replace(placeholder, text)
        return value
    if isinstance(value, Mapping):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value
