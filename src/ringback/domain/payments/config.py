"""The ``[payments]`` section: merchant apps and channels, checked completely at start.

```toml
[payments]
demo_keys = "demo"            # optional: make demo keys in <data_dir>/demo (never for money)

[[payments.apps]]
app_id = "game-1"
notify_url = "https://game.example.com/pay/notify"
signing_secret_file = "keys/game-1.whsec"    # or signing_secret = "whsec_…"
# success, schedule, allowed_channels, format, rsa2_private_key_file,
# allow_unregistered_orders: see docs/payments.md

[payments.alipay]      # and [payments.wechatpay], [payments.generic]: see channel_config
```

Relative file names resolve against ``base_dir`` (the service's data folder). Anything
missing or malformed is a ``ConfigError`` naming the dotted key, raised by
``parse_payments_config`` — so in every process, at start, before serving.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringback.core.errors import ConfigError, NotFound
from ringback.domain.payments.channel_config import CHANNELS, ChannelSetup, parse_channel
from ringback.domain.payments.channels import ChannelVerifier
from ringback.domain.payments.config_table import ConfigTable, read_secret_file
from ringback.domain.payments.demo_keys import DemoKeys, ensure_demo_keys
from ringback.domain.payments.merchant import MerchantApp, parse_merchant_app

SECTION = "payments"
# HTTP jobs name their app's secret as "payments:<app_id>" (see HttpOptions.named_secrets).
SECRET_NAME_PREFIX = "payments:"
_TOP_KEYS = frozenset({"apps", "demo_keys", *CHANNELS})


@dataclass(frozen=True, slots=True)
class PaymentsConfig:
    apps: Mapping[str, MerchantApp]
    channels: Mapping[str, ChannelSetup] = field(default_factory=dict)
    demo_keys: DemoKeys | None = None

    def app(self, app_id: str) -> MerchantApp:
        found = self.apps.get(app_id)
        if found is None:
            raise NotFound(f"no merchant app {app_id[:64]!r} is configured", field="app")
        return found

    def verifier(self, channel: str) -> ChannelVerifier | None:
        setup = self.channels.get(channel)
        return None if setup is None else setup.verifier

    def apps_for_channel(self, channel: str) -> tuple[str, ...]:
        """The merchant apps a channel's notifications may belong to, in config order."""
        setup = self.channels.get(channel)
        if setup is not None and setup.apps is not None:
            return setup.apps
        return tuple(a.app_id for a in self.apps.values() if channel in a.allowed_channels)

    def named_secrets(self) -> dict[str, str]:
        """Each app's signing secret under its job-visible name, for the HTTP executor."""
        return {secret_name(a.app_id): a.signing_secret.reveal() for a in self.apps.values()}


def secret_name(app_id: str) -> str:
    return SECRET_NAME_PREFIX + app_id


def parse_payments_config(raw: Mapping[str, Any], *, base_dir: Path) -> PaymentsConfig | None:
    """The checked configuration, or None when ``[payments]`` is empty (feature off)."""
    if not raw:
        return None
    table = ConfigTable(raw, SECTION, base_dir)
    table.only(_TOP_KEYS)
    demo = _demo_keys(table)
    apps = _apps(table)
    app_ids = tuple(apps)
    channels: dict[str, ChannelSetup] = {}
    for channel in CHANNELS:
        sub = table.table(channel)
        if sub is not None:
            allowing = tuple(a for a in app_ids if channel in apps[a].allowed_channels)
            channels[channel] = parse_channel(channel, sub, app_ids, allowing)
    return PaymentsConfig(apps=apps, channels=channels, demo_keys=demo)


def _demo_keys(table: ConfigTable) -> DemoKeys | None:
    folder = table.path("demo_keys")
    return None if folder is None else ensure_demo_keys(folder)


def _apps(table: ConfigTable) -> dict[str, MerchantApp]:
    entries = table.data.get("apps")
    if not isinstance(entries, list) or not entries:
        raise table.fail("apps", "configure at least one merchant app ([[payments.apps]])")
    apps: dict[str, MerchantApp] = {}
    for index, entry in enumerate(entries):
        prefix = f"{SECTION}.apps[{index}]."
        app = parse_merchant_app(
            _with_secret_from_file(entry, prefix, table.base_dir),
            error=ConfigError,
            field_prefix=prefix,
            base_dir=table.base_dir,
        )
        if app.app_id in apps:
            raise ConfigError(
                f"{prefix}app_id: {app.app_id!r} is configured twice", field=prefix + "app_id"
            )
        apps[app.app_id] = app
    return apps


def _with_secret_from_file(entry: object, prefix: str, base_dir: Path) -> Any:
    """``signing_secret_file`` read into ``signing_secret`` (parse_merchant_app takes
    the secret itself), so the secret can live outside the configuration file."""
    if not isinstance(entry, Mapping) or "signing_secret_file" not in entry:
        return entry
    app_table = ConfigTable(entry, prefix.rstrip("."), base_dir)
    if "signing_secret" in entry:
        raise app_table.fail("signing_secret_file", "give either signing_secret or this, not both")
    path = app_table.path("signing_secret_file")
    if path is None:
        raise app_table.fail("signing_secret_file", "must name a file")
    rest = {k: v for k, v in entry.items() if k != "signing_secret_file"}
    return {**rest, "signing_secret": read_secret_file(path, prefix + "signing_secret_file")}
