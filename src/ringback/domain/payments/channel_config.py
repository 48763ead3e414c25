"""The channel tables of ``[payments]``: keys from files, turned into verifiers at start.

```toml
[payments.alipay]
app_id = "2021000000000001"
public_key_file = "keys/alipay-public.pem"     # Alipay's public key (not the app's)
seller_id = "2088…"                            # optional: also check seller_id
apps = ["game-1"]                              # optional: the merchant apps it serves

[payments.wechatpay]
appid = "wx…"
mchid = "1230000109"
api_v3_key_file = "keys/wechatpay-apiv3.key"   # or api_v3_key = "…" (32 characters)
platform_certificates = ["keys/wechatpay-platform.pem"]   # serial read from each
platform_public_keys = { "PUB_KEY_ID_…" = "keys/wechatpay-pub.pem" }   # or by id

[payments.generic]
secret_file = "keys/generic.whsec"             # or secret = "whsec_…"
apps = ["game-1"]
```

A missing, unreadable or malformed key is a ``ConfigError`` naming the key and file.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ringback.core.errors import ConfigError, InvalidInput
from ringback.domain.payments.channels import (
    AlipayVerifier,
    ChannelVerifier,
    GenericVerifier,
    WechatPayVerifier,
)
from ringback.domain.payments.config_table import ConfigTable
from ringback.domain.payments.keys import load_public_key, parse_public_key_pem
from ringback.domain.payments.secret import Secret, SigningSecret

ALIPAY = "alipay"
WECHATPAY = "wechatpay"
GENERIC = "generic"
CHANNELS = (ALIPAY, WECHATPAY, GENERIC)


@dataclass(frozen=True, slots=True)
class ChannelSetup:
    verifier: ChannelVerifier
    apps: tuple[str, ...] | None  # the merchant apps it serves; None: every app allowing it
    channel_app_id: str = ""  # the channel's own app id (Alipay app_id, WeChat appid)


def parse_channel(
    channel: str, table: ConfigTable, app_ids: tuple[str, ...], allowing: tuple[str, ...]
) -> ChannelSetup:
    """The verifier for one channel table. ``app_ids``: every configured merchant app;
    ``allowing``: those whose ``allowed_channels`` include this channel."""
    apps = _apps(table, app_ids)
    try:
        if channel == ALIPAY:
            return ChannelSetup(_alipay(table), apps, table.text("app_id"))
        if channel == WECHATPAY:
            return ChannelSetup(_wechatpay(table), apps, table.text("appid"))
        served = apps or allowing
        if not served:
            raise table.fail("apps", "no merchant app allows the generic channel")
        return ChannelSetup(_generic(table, served), apps)
    except InvalidInput as exc:  # the verifiers check their own arguments too
        raise table.fail(exc.field or "", exc.message) from None


def _apps(table: ConfigTable, app_ids: tuple[str, ...]) -> tuple[str, ...] | None:
    names = table.text_list("apps")
    if names is None:
        return None
    for name in names:
        if name not in app_ids:
            raise table.fail("apps", f"{name!r} is not a configured merchant app")
    return tuple(names)


def _public_key(table: ConfigTable, key: str) -> RSAPublicKey:
    path = table.path(f"{key}_file")
    pem = table.optional_text(f"{key}_pem")
    if path is not None and pem is not None:
        raise table.fail(f"{key}_file", f"give either {key}_file or {key}_pem, not both")
    if path is not None:
        return load_public_key(path, field=table.field(f"{key}_file"))
    if pem is not None:
        return parse_public_key_pem(
            pem.encode("utf-8"), source=table.field(f"{key}_pem"), field=table.field(f"{key}_pem")
        )
    raise table.fail(f"{key}_file", "is required (the channel's public key, PEM)")


def _alipay(table: ConfigTable) -> AlipayVerifier:
    table.only({"app_id", "public_key_file", "public_key_pem", "seller_id", "apps"})
    return AlipayVerifier(
        app_id=table.text("app_id"),
        alipay_public_key=_public_key(table, "public_key"),
        seller_id=table.optional_text("seller_id"),
    )


def _wechatpay(table: ConfigTable) -> WechatPayVerifier:
    table.only(
        {
            "appid",
            "mchid",
            "api_v3_key",
            "api_v3_key_file",
            "platform_certificates",
            "platform_public_keys",
            "apps",
        }
    )
    keys = {**_certificates(table), **_keys_by_id(table)}
    if not keys:
        raise table.fail(
            "platform_certificates", "name at least one platform certificate or public key"
        )
    api_v3_key = table.secret("api_v3_key")
    try:
        return WechatPayVerifier(
            appid=table.text("appid"),
            mchid=table.text("mchid"),
            platform_keys=keys,
            api_v3_key=Secret(api_v3_key, field="api_v3_key"),
        )
    except ConfigError as exc:
        raise table.fail(exc.field or "", exc.message) from None


def _certificates(table: ConfigTable) -> dict[str, RSAPublicKey]:
    """Platform certificates by serial: WeChat Pay names the key by the certificate's
    serial number (upper-case hex) in ``Wechatpay-Serial``."""
    files = table.text_list("platform_certificates") or []
    keys: dict[str, RSAPublicKey] = {}
    for index, name in enumerate(files):
        field = table.field(f"platform_certificates[{index}]")
        path = table.base_dir / name
        key = load_public_key(path, field=field)  # clear errors for missing / not PEM
        try:
            certificate = x509.load_pem_x509_certificate(path.read_bytes())
        except ValueError:
            raise ConfigError(
                f"{field}: {path} is not a certificate; put a bare public key under "
                'platform_public_keys = { "<serial or key id>" = "<file>" }',
                field=field,
            ) from None
        keys[f"{certificate.serial_number:X}"] = key
    return keys


def _keys_by_id(table: ConfigTable) -> dict[str, RSAPublicKey]:
    given = table.table("platform_public_keys")
    if given is None:
        return {}
    keys: dict[str, RSAPublicKey] = {}
    for serial in given.data:
        path = given.path(str(serial))
        if path is None:
            raise given.fail(str(serial), "must name a PEM file")
        keys[str(serial)] = load_public_key(path, field=given.field(str(serial)))
    return keys


def _generic(table: ConfigTable, app_ids: tuple[str, ...]) -> GenericVerifier:
    table.only({"secret", "secret_file", "apps"})
    text = table.secret("secret")
    try:
        secret = SigningSecret(text, field="secret")
    except InvalidInput as exc:
        raise table.fail("secret", exc.message) from None
    return GenericVerifier(secret=secret, app_ids=app_ids, channel=GENERIC)
