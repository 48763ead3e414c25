"""Log set-up: human-readable lines by default, one JSON object per line on request.

Every record about a job carries ``job_id`` (passed as ``extra`` by the core), so
the JSON form can be filtered by job. Payloads and secrets are never passed to the
logger by ringback's own code; ``redact`` masks anything that looks like a secret
in a message as a second line of defence.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Literal

_SECRET = re.compile(r"(whsec_[A-Za-z0-9+/=]{4})[A-Za-z0-9+/=]+|(Bearer\s+\S{4})\S+")
_EXTRA_FIELDS = ("job_id", "attempt", "outcome", "worker")


def redact(text: str) -> str:
    return _SECRET.sub(lambda m: (m.group(1) or m.group(2)) + "…", text)


class HumanFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        line = f"{when} {record.levelname:<7} {record.name}: {redact(record.getMessage())}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
            "pid": record.process,
        }
        for name in _EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(fmt: Literal["human", "json"] | str = "human", level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else HumanFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log would print one line per API call; ringback logs its own.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
