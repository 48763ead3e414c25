"""Where the PostgreSQL store connects, and with what limits.

``RINGBACK_DATABASE_URL`` is a libpq URL that may carry ringback's own settings as
query parameters (``?schema=payments&pool_max=20``). libpq rejects parameters it does
not know, so they are split off here before the URL reaches psycopg.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ringback.core.errors import InvalidInput

DEFAULT_SCHEMA = "ringback"
DEFAULT_POOL_MIN = 1
DEFAULT_POOL_MAX = 10
DEFAULT_STATEMENT_TIMEOUT = timedelta(seconds=30)

# Lower-case only, so that the quoted identifier equals what a user types unquoted in
# psql; PostgreSQL names hold at most 63 bytes.
_SCHEMA_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MAX_NAME_BYTES = 63
_WAKE_SUFFIX = "_wake"
_SCHEMES = ("postgresql", "postgres")
_POOL_PARAMS = ("pool_min", "pool_max")
_TIMEOUT_PARAM = "statement_timeout_s"
RINGBACK_URL_PARAMS = frozenset({"schema", *_POOL_PARAMS, _TIMEOUT_PARAM})


@dataclass(frozen=True, slots=True)
class PostgresSettings:
    conninfo: str  # a libpq URL with ringback's parameters removed
    schema: str
    pool_min: int
    pool_max: int
    statement_timeout: timedelta

    @property
    def channel(self) -> str:
        return wake_channel(self.schema)


def wake_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel: one per schema, so two deployments sharing a
    database do not wake each other. ``<schema>_wake`` when that fits in a name;
    a long schema keeps its start and gets a hash of the whole, to stay distinct."""
    channel = f"{schema}{_WAKE_SUFFIX}"
    if len(channel) <= _MAX_NAME_BYTES:
        return channel
    digest = hashlib.sha256(schema.encode()).hexdigest()[:8]
    keep = _MAX_NAME_BYTES - len(_WAKE_SUFFIX) - len(digest) - 1
    return f"{schema[:keep]}_{digest}{_WAKE_SUFFIX}"


def check_schema(schema: str) -> str:
    if not isinstance(schema, str) or not _SCHEMA_PATTERN.fullmatch(schema):
        raise InvalidInput(
            "schema must be 1-63 characters of a-z, 0-9 and _, not starting with a digit",
            field="schema",
        )
    return schema


def check_pool(pool_min: int, pool_max: int) -> None:
    if isinstance(pool_min, bool) or not isinstance(pool_min, int) or pool_min < 0:
        raise InvalidInput("pool_min must be an integer >= 0", field="pool_min")
    if isinstance(pool_max, bool) or not isinstance(pool_max, int) or pool_max < 1:
        raise InvalidInput("pool_max must be an integer >= 1", field="pool_max")
    if pool_max < pool_min:
        raise InvalidInput("pool_max must be >= pool_min", field="pool_max")


def check_statement_timeout(timeout: timedelta) -> None:
    if not isinstance(timeout, timedelta) or timeout <= timedelta(0):
        raise InvalidInput(
            "statement_timeout must be a positive duration", field="statement_timeout"
        )


def split_url(url: str) -> tuple[str, dict[str, str]]:
    """Return the libpq URL without ringback's parameters, and those parameters."""
    if not isinstance(url, str):
        raise InvalidInput("the database URL must be a string", field="url")
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise InvalidInput(
            "the database URL must start with postgresql:// (got scheme "
            f"{parts.scheme or 'none'!r})",
            field="url",
        )
    ours: dict[str, str] = {}
    theirs: list[tuple[str, str]] = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in RINGBACK_URL_PARAMS:
            ours[name] = value
        else:
            theirs.append((name, value))
    # libpq decodes %XX but not "+", so spaces (in "options", say) must stay %20.
    query = urlencode(theirs, quote_via=quote)
    return urlunsplit(parts._replace(query=query)), ours


def settings_from_url(url: str, *, schema: str | None = None) -> PostgresSettings:
    conninfo, params = split_url(url)
    pool_min = _int_param(params, "pool_min", DEFAULT_POOL_MIN)
    pool_max = _int_param(params, "pool_max", DEFAULT_POOL_MAX)
    timeout = DEFAULT_STATEMENT_TIMEOUT
    if _TIMEOUT_PARAM in params:
        timeout = timedelta(seconds=_float_param(params, _TIMEOUT_PARAM))
    chosen_schema = schema if schema is not None else params.get("schema", DEFAULT_SCHEMA)
    return make_settings(
        conninfo,
        schema=chosen_schema,
        pool_min=pool_min,
        pool_max=pool_max,
        statement_timeout=timeout,
    )


def make_settings(
    conninfo: str,
    *,
    schema: str,
    pool_min: int,
    pool_max: int,
    statement_timeout: timedelta,
) -> PostgresSettings:
    check_schema(schema)
    check_pool(pool_min, pool_max)
    check_statement_timeout(statement_timeout)
    return PostgresSettings(conninfo, schema, pool_min, pool_max, statement_timeout)


def redact_url(url: str) -> str:
    """The URL with its password replaced, for messages and ``repr``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hosts = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hosts}"))


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    if name not in params:
        return default
    try:
        return int(params[name])
    except ValueError:
        raise InvalidInput(f"{name} in the database URL must be an integer", field=name) from None


def _float_param(params: dict[str, str], name: str) -> float:
    try:
        return float(params[name])
    except ValueError:
        raise InvalidInput(f"{name} in the database URL must be a number", field=name) from None
