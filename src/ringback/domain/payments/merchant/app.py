"""A merchant application: where its notifications go and how they are signed.

Parsed from a plain mapping (a config file section or an API body) by
``parse_merchant_app``. Every refusal names the field at fault, as ``InvalidInput``
for API input or ``ConfigError`` for configuration (the caller chooses).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ringback.core.errors import ConfigError, InvalidInput, RingbackError
from ringback.core.executors.http.success import SuccessRule, parse_success
from ringback.core.jobs import JsonObject
from ringback.core.policies import parse_policy
from ringback.domain.payments.keys import load_private_key, parse_private_key_pem
from ringback.domain.payments.secret import SigningSecret

DEFAULT_SCHEDULE: JsonObject = {"preset": "alipay"}
# Alipay's convention, which most merchant servers already follow: 2xx and "success".
DEFAULT_SUCCESS_RULE = SuccessRule(body_equals="success")
DEFAULT_CHANNELS = frozenset({"alipay", "wechatpay"})

_APP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_CHANNEL = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_KNOWN_KEYS = frozenset(
    {
        "app_id",
        "notify_url",
        "signing_secret",
        "success",
        "schedule",
        "allowed_channels",
        "format",
        "rsa2_private_key_file",
        "rsa2_private_key_pem",
        "allow_unregistered_orders",
    }
)


class NotificationFormat(enum.StrEnum):
    JSON = "json"  # application/json, the default
    ALIPAY_FORM = "alipay_form"  # application/x-www-form-urlencoded, like Alipay's


@dataclass(frozen=True, slots=True)
class MerchantApp:
    app_id: str
    notify_url: str
    signing_secret: SigningSecret  # its repr shows only "whsec_…" and 4 characters
    success_rule: SuccessRule = DEFAULT_SUCCESS_RULE
    schedule: JsonObject = field(default_factory=lambda: dict(DEFAULT_SCHEDULE))
    allowed_channels: frozenset[str] = DEFAULT_CHANNELS
    notification_format: NotificationFormat = NotificationFormat.JSON
    # For merchants that verify Alipay-style RSA2 signatures; never shown in repr.
    rsa2_private_key: RSAPrivateKey | None = field(default=None, repr=False, compare=False)
    allow_unregistered_orders: bool = False

    def public_view(self) -> JsonObject:
        """A JSON description safe to show (secret as a hint, no key material)."""
        return {
            "app_id": self.app_id,
            "notify_url": self.notify_url,
            "signing_secret": self.signing_secret.hint(),
            "success": self.success_rule.to_json(),
            "schedule": self.schedule,
            "allowed_channels": sorted(self.allowed_channels),
            "format": self.notification_format.value,
            "rsa2_signing": self.rsa2_private_key is not None,
            "allow_unregistered_orders": self.allow_unregistered_orders,
        }


class _Fields:
    """Reads one mapping, raising the caller's error type with prefixed field names."""

    def __init__(self, data: Mapping[str, Any], error: type[RingbackError], prefix: str) -> None:
        self.data = data
        self.error = error
        self.prefix = prefix

    def fail(self, name: str, message: str) -> RingbackError:
        return self.error(f"{self.prefix}{name}: {message}", field=self.prefix + name)

    def text(self, name: str) -> str:
        value = self.optional_text(name)
        if value is None:
            raise self.fail(name, "is required")
        return value

    def optional_text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(name, "must be non-empty text")
        return value


def parse_merchant_app(
    data: Mapping[str, Any],
    *,
    error: type[RingbackError] = InvalidInput,
    field_prefix: str = "",
    base_dir: Path | None = None,
) -> MerchantApp:
    """Build a ``MerchantApp`` from a mapping; ``base_dir`` resolves relative key files."""
    if not isinstance(data, Mapping):
        raise error(f"{field_prefix or 'app'} must be an object", field=field_prefix or None)
    reader = _Fields(data, error, field_prefix)
    for key in data:
        if key not in _KNOWN_KEYS:
            raise reader.fail(
                str(key), f"unknown setting (known: {', '.join(sorted(_KNOWN_KEYS))})"
            )
    app_id = reader.text("app_id")
    if _APP_ID.fullmatch(app_id) is None:
        raise reader.fail("app_id", "use letters, digits, '.', '-' or '_' (at most 64)")
    return MerchantApp(
        app_id=app_id,
        notify_url=_notify_url(reader),
        signing_secret=_signing_secret(reader),
        success_rule=_success_rule(reader),
        schedule=_schedule(reader),
        allowed_channels=_channels(reader),
        notification_format=_format(reader),
        rsa2_private_key=_private_key(reader, base_dir),
        allow_unregistered_orders=_flag(reader, "allow_unregistered_orders"),
    )


def _notify_url(reader: _Fields) -> str:
    url = reader.text("notify_url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise reader.fail("notify_url", "must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise reader.fail("notify_url", "must not carry a user name or password")
    if parts.fragment:
        raise reader.fail("notify_url", "must not have a #fragment")
    return url


def _signing_secret(reader: _Fields) -> SigningSecret:
    text = reader.text("signing_secret")
    try:
        return SigningSecret(text)
    except InvalidInput as exc:
        # The message never repeats the secret itself.
        raise reader.fail("signing_secret", exc.message) from None


def _success_rule(reader: _Fields) -> SuccessRule:
    """The same ``success`` object HTTP jobs take (see the HTTP executor), so the rule
    goes into the notification job unchanged."""
    spec = reader.data.get("success")
    if spec is None:
        return DEFAULT_SUCCESS_RULE
    try:
        return parse_success(spec, field=reader.prefix + "success")
    except InvalidInput as exc:
        raise reader.error(exc.message, field=exc.field) from None


def _schedule(reader: _Fields) -> JsonObject:
    spec = reader.data.get("schedule")
    if spec is None:
        return dict(DEFAULT_SCHEDULE)
    # Validated now, so a bad schedule is refused with the app, not when a payment comes.
    try:
        parse_policy(spec, field=reader.prefix + "schedule")
    except InvalidInput as exc:
        raise reader.error(exc.message, field=exc.field) from None
    return dict(spec)


def _channels(reader: _Fields) -> frozenset[str]:
    value = reader.data.get("allowed_channels")
    if value is None:
        return DEFAULT_CHANNELS
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise reader.fail("allowed_channels", "must be a non-empty list of channel names")
    for name in value:
        if not isinstance(name, str) or _CHANNEL.fullmatch(name) is None:
            raise reader.fail("allowed_channels", f"{str(name)[:32]!r} is not a channel name")
    return frozenset(value)


def _format(reader: _Fields) -> NotificationFormat:
    value = reader.data.get("format", NotificationFormat.JSON.value)
    try:
        return NotificationFormat(value)
    except ValueError:
        allowed = ", ".join(f.value for f in NotificationFormat)
        raise reader.fail("format", f"must be one of {allowed}") from None


def _flag(reader: _Fields, name: str) -> bool:
    value = reader.data.get(name, False)
    if not isinstance(value, bool):
        raise reader.fail(name, "must be true or false")
    return value


def _private_key(reader: _Fields, base_dir: Path | None) -> RSAPrivateKey | None:
    path_text = reader.optional_text("rsa2_private_key_file")
    pem_text = reader.optional_text("rsa2_private_key_pem")
    if path_text is not None and pem_text is not None:
        raise reader.fail("rsa2_private_key_file", "give either a key file or inline PEM, not both")
    try:
        if path_text is not None:
            path = Path(path_text)
            if base_dir is not None and not path.is_absolute():
                path = base_dir / path
            return load_private_key(path, field=reader.prefix + "rsa2_private_key_file")
        if pem_text is not None:
            return parse_private_key_pem(
                pem_text.encode("utf-8"),
                source="rsa2_private_key_pem",
                field=reader.prefix + "rsa2_private_key_pem",
            )
    except ConfigError as exc:
        raise reader.error(exc.message, field=exc.field) from None
    return None
