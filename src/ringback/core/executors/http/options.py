"""Operator settings for HTTP callbacks (from the configuration, not from a job)."""

from __future__ import annotations

import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from ringback.core.errors import ConfigError
from ringback.core.executors.http.addresses import AllowList
from ringback.core.executors.http.signing import decode_secret

KIB = 1024
MIB = 1024 * KIB
# A job names one of ``named_secrets`` in its payload; the name is stored, never the secret.
SECRET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpOptions:
    signing_secret: str = field(repr=False)  # whsec_<base64>; signs every callback
    # Other whsec_ secrets by name (e.g. one per merchant app); a job's payload may name
    # one in "signing_secret" to be signed with it instead of the global secret.
    named_secrets: Mapping[str, str] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )
    allow_private: bool = False  # let callbacks reach private/loopback addresses
    allowed_hosts: frozenset[str] = frozenset()  # host names or CIDRs always allowed
    connect_timeout: timedelta = timedelta(seconds=5)  # default when a job names none
    timeout: timedelta = timedelta(seconds=30)  # default total time for one attempt
    max_timeout: timedelta = timedelta(minutes=10)  # the longest a job may ask for
    max_request_bytes: int = 1 * MIB
    max_response_bytes: int = 64 * KIB
    user_agent: str = "ringback/0.1"
    connection_limit: int = 1000  # open connections across all targets
    dns_cache_ttl: timedelta = timedelta(seconds=10)  # how long a vetted lookup is reused
    keepalive_idle: timedelta = timedelta(seconds=15)  # how long an unused connection is kept
    # Trust anchors for TLS; None means the system's CA store. Verification stays on.
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            decode_secret(self.signing_secret)
        except ValueError as exc:
            raise ConfigError(str(exc), field="signing_secret") from None
        for name, secret in self.named_secrets.items():
            if not isinstance(name, str) or SECRET_NAME.fullmatch(name) is None:
                raise ConfigError(
                    f"secret name {str(name)[:40]!r}: use 1-128 letters, digits or _.:-",
                    field="named_secrets",
                )
            try:
                decode_secret(secret)
            except ValueError as exc:
                raise ConfigError(f"{name}: {exc}", field=f"named_secrets.{name}") from None
        try:
            AllowList.parse(self.allowed_hosts)
        except ValueError as exc:
            raise ConfigError(str(exc), field="allowed_hosts") from None
        for name in ("connect_timeout", "timeout", "max_timeout"):
            if getattr(self, name) <= timedelta(0):
                raise ConfigError(f"{name} must be positive", field=name)
        if self.timeout > self.max_timeout or self.connect_timeout > self.max_timeout:
            raise ConfigError("the default timeouts exceed max_timeout", field="max_timeout")
        if self.keepalive_idle <= timedelta(0):
            raise ConfigError("keepalive_idle must be positive", field="keepalive_idle")
        if self.dns_cache_ttl < timedelta(0):
            raise ConfigError("dns_cache_ttl cannot be negative", field="dns_cache_ttl")
        for name in ("max_request_bytes", "max_response_bytes", "connection_limit"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1", field=name)
        if not self.user_agent.isprintable() or not self.user_agent.isascii():
            raise ConfigError("user_agent must be printable ASCII", field="user_agent")

    @property
    def allow_list(self) -> AllowList:
        return AllowList.parse(self.allowed_hosts)
