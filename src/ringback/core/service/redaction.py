"""Hide secrets before a job is shown back to anyone.

Payloads carry what the executor needs, including credentials (an
``Authorization`` header, an API key in a query string, a token in a task's
arguments). Every interface renders payloads through ``mask_secrets`` so none of
that is shown back in full. Masking errs on the side of hiding: a field merely
*named* like a secret is hidden too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

_SECRET_NAME = re.compile(
    r"authorization|cookie|token|secret|key|password|passwd|credential|session",
    re.IGNORECASE,
)
# "Bearer abc" -> "Bearer ***": the scheme helps debugging and reveals nothing.
_AUTH_SCHEME = re.compile(r"^(Bearer|Basic|Digest|Token|ApiKey)\s+\S", re.IGNORECASE)


def looks_secret(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def mask_value(value: Any) -> Any:
    if isinstance(value, str) and value:
        scheme = _AUTH_SCHEME.match(value)
        return f"{scheme.group(1)} {MASK}" if scheme else MASK
    # An absent or empty secret reveals nothing; showing it helps spot a missing one.
    return value if value is None or value == "" else MASK


def mask_secrets(value: Any) -> Any:
    """A copy of a JSON value with secret-looking fields, header pairs and URL
    credentials masked. The input is left unchanged."""
    if isinstance(value, Mapping):
        return {key: _mask_field(str(key), item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_pair_or_item(item) for item in value]
    return value


def redact_url(url: str) -> str:
    """Hide a URL's password and the values of secret-looking query parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(looks_secret(name) for name, _ in pairs):
            query = urlencode(
                [(name, MASK if looks_secret(name) else val) for name, val in pairs],
                safe="*",
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _mask_field(name: str, item: Any) -> Any:
    if looks_secret(name) and not isinstance(item, Mapping | list):
        return mask_value(item)
    if isinstance(item, str) and name.lower() in {"url", "uri", "endpoint"}:
        return redact_url(item)
    return mask_secrets(item)


def _mask_pair_or_item(item: Any) -> Any:
    # Headers given as [["Authorization", "Bearer x"], ...] pairs.
    if (
        isinstance(item, list | tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and looks_secret(item[0])
    ):
        return [item[0], mask_value(item[1])]
    return mask_secrets(item)
