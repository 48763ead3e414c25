"""An HTTP job's payload: checked, normalised, and turned into the request to send.

The same parser serves ``prepare`` (reject bad input with the field at fault) and
``execute`` (rebuild the request from the stored, normalised payload), so a payload that
was accepted is always sent exactly as it was checked.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from yarl import URL

from ringback.core.errors import InvalidInput
from ringback.core.executors.http.addresses import AddressPolicy, normalise_host, parse_ip
from ringback.core.executors.http.headers import Headers, header_value, parse_headers
from ringback.core.executors.http.options import HttpOptions
from ringback.core.executors.http.success import SuccessRule, parse_success
from ringback.core.executors.http.timeouts import Timeouts, format_timeout, parse_timeout
from ringback.core.jobs import JsonObject

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_URL_CHARS = 8192
JSON_CONTENT_TYPE = "application/json"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
PAYLOAD_FIELDS = frozenset(
    {
        "url",
        "method",
        "headers",
        "body",
        "json",
        "success",
        "connect_timeout",
        "timeout",
        "signing_secret",
    }
)

# "127.1", "2130706433" and "0x7f.0.0.1" are IPv4 addresses to some resolvers and host
# names to others; refuse the ambiguity instead of guessing which one a resolver picks.
_NUMERIC_LABEL = re.compile(r"^(?:\d+|0x[0-9a-f]*)$")
_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """One callback, ready to send (apart from the signature, made at send time)."""

    url: URL
    host: str  # lower-case, IDNA-encoded, no brackets or root dot
    port: int
    method: str
    headers: Headers  # the job's own headers
    content_type: str | None  # ours, sent only when the job's headers name none
    body: bytes  # exactly the bytes sent and signed
    body_text: str | None  # the payload's "body", kept to store it back unchanged
    json_value: Any  # the payload's "json", likewise
    success: SuccessRule
    connect_timeout: timedelta | None  # None: the operator's default
    timeout: timedelta | None
    signing_secret: str | None = None  # a name in HttpOptions.named_secrets; None: global

    @property
    def target(self) -> str:
        """The concurrency key: "host:port", with IPv6 in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def timeouts(self, options: HttpOptions) -> Timeouts:
        total = self.timeout or options.timeout
        connect = min(self.connect_timeout or options.connect_timeout, total)
        return Timeouts(connect=connect, total=total)

    def base_headers(self, user_agent: str) -> dict[str, str]:
        """The headers to send before signing: ours as defaults, the job's on top."""
        merged = {"User-Agent": user_agent}
        if self.content_type is not None:
            merged["Content-Type"] = self.content_type
        for name, value in self.headers:
            if name.lower() == "user-agent":
                del merged["User-Agent"]
            merged[name] = value
        return merged

    def to_payload(self) -> JsonObject:
        payload = self._common_payload()
        if self.signing_secret is not None:
            # Only when set, so payloads signed with the global secret stay as they were.
            payload["signing_secret"] = self.signing_secret
        return payload

    def _common_payload(self) -> JsonObject:
        return {
            "url": str(self.url),
            "method": self.method,
            "headers": dict(self.headers),
            "body": self.body_text,
            "json": self.json_value,
            "success": self.success.to_json(),
            "connect_timeout": None
            if self.connect_timeout is None
            else format_timeout(self.connect_timeout),
            "timeout": None if self.timeout is None else format_timeout(self.timeout),
        }


def _parse_host(url: URL, policy: AddressPolicy) -> str:
    raw_host = url.raw_host
    if not raw_host:
        raise InvalidInput("the URL names no host", field="payload.url")
    host = normalise_host(raw_host)
    address = parse_ip(host)
    if address is None:
        if _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
            raise InvalidInput(
                f"{raw_host!r} is neither a host name nor a plain IP address",
                field="payload.url",
            )
        is_loopback_name = host == "localhost" or host.endswith(".localhost")
        if is_loopback_name and policy.refusal(host, [_LOOPBACK]) is not None:
            raise InvalidInput(
                f"{host} is a loopback name; private addresses are not allowed",
                field="payload.url",
            )
        return host
    refusal = policy.refusal(host, [address])
    if refusal is not None:
        raise InvalidInput(f"{refusal}; private addresses are not allowed", field="payload.url")
    return str(address)


def _parse_url(raw: object, policy: AddressPolicy) -> tuple[URL, str, int]:
    field = "payload.url"
    if not isinstance(raw, str) or not raw:
        raise InvalidInput("a callback URL is required", field=field)
    if len(raw) > MAX_URL_CHARS:
        raise InvalidInput(f"at most {MAX_URL_CHARS} characters", field=field)
    # isprintable() is False for every whitespace character except the ASCII space.
    if not raw.isprintable() or " " in raw:
        raise InvalidInput("the URL holds spaces or control characters", field=field)
    try:
        url = URL(raw)
        port = url.port
    except ValueError as exc:
        raise InvalidInput(f"not a valid URL: {exc}", field=field) from None
    if url.scheme not in ("http", "https"):
        raise InvalidInput("only http:// and https:// URLs can be called", field=field)
    if url.raw_user is not None or url.raw_password is not None:
        raise InvalidInput(
            "credentials in the URL are not allowed; send them in a header", field=field
        )
    if port is None or not 0 < port < 65536:
        raise InvalidInput("the URL's port must be 1-65535", field=field)
    host = _parse_host(url, policy)
    return url.with_fragment(None), host, port


def _parse_method(raw: object) -> str:
    if raw is None:
        return "POST"
    if not isinstance(raw, str) or raw.upper() not in METHODS:
        raise InvalidInput(f"the method is one of {', '.join(METHODS)}", field="payload.method")
    return raw.upper()


def _encode_json(value: Any) -> bytes:
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"cannot be sent as JSON: {exc}", field="payload.json") from None
    return text.encode()


def _parse_body(payload: JsonObject, method: str, max_bytes: int) -> tuple[bytes, str | None]:
    text, value = payload.get("body"), payload.get("json")
    if text is not None and value is not None:
        raise InvalidInput("give either body or json, not both", field="payload.json")
    if text is not None and not isinstance(text, str):
        raise InvalidInput(
            "the body is a string (use json for structured data)", field="payload.body"
        )
    field = "payload.body" if text is not None else "payload.json"
    if (text is not None or value is not None) and method == "GET":
        raise InvalidInput("a GET request carries no body", field=field)
    if text is not None:
        body, content_type = text.encode(), TEXT_CONTENT_TYPE
    elif value is not None:
        body, content_type = _encode_json(value), JSON_CONTENT_TYPE
    else:
        return b"", None
    if len(body) > max_bytes:
        raise InvalidInput(
            f"the body is {len(body)} bytes; at most {max_bytes} may be sent", field=field
        )
    return body, content_type


def _parse_optional_timeout(raw: object, field: str, options: HttpOptions) -> timedelta | None:
    if raw is None:
        return None
    return parse_timeout(raw, field=field, maximum=options.max_timeout)


def _parse_secret_name(raw: object, options: HttpOptions) -> str | None:
    """The name of the secret to sign with; it must be one the operator configured."""
    if raw is None:
        return None
    field = "payload.signing_secret"
    if not isinstance(raw, str) or not raw:
        raise InvalidInput("the name of a configured signing secret", field=field)
    if raw not in options.named_secrets:
        # The message names the name only: the secrets themselves never appear here.
        raise InvalidInput(f"no signing secret named {raw[:128]!r} is configured", field=field)
    return raw


def parse_request(
    payload: object, *, options: HttpOptions, policy: AddressPolicy
) -> CallbackRequest:
    """Check ``payload`` and build the request. Raises InvalidInput with the field name."""
    if not isinstance(payload, dict):
        raise InvalidInput("an HTTP job's payload is an object", field="payload")
    unknown = sorted(set(payload) - PAYLOAD_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=f"payload.{unknown[0]}")
    url, host, port = _parse_url(payload.get("url"), policy)
    method = _parse_method(payload.get("method"))
    headers = parse_headers(payload.get("headers"))
    body, default_type = _parse_body(payload, method, options.max_request_bytes)
    return CallbackRequest(
        url=url,
        host=host,
        port=port,
        method=method,
        headers=headers,
        content_type=None if header_value(headers, "content-type") else default_type,
        body=body,
        body_text=payload.get("body"),
        json_value=payload.get("json"),
        success=parse_success(payload.get("success")),
        connect_timeout=_parse_optional_timeout(
            payload.get("connect_timeout"), "payload.connect_timeout", options
        ),
        timeout=_parse_optional_timeout(payload.get("timeout"), "payload.timeout", options),
        signing_secret=_parse_secret_name(payload.get("signing_secret"), options),
    )
