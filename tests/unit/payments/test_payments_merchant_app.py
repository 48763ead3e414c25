from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.executors.base import ResultKind
from ringback.core.executors.http.success import SuccessRule, judge
from ringback.domain.payments.merchant.app import (
    MerchantApp,
    NotificationFormat,
    parse_merchant_app,
)
from ringback.domain.payments.secret import Secret, SigningSecret

SECRET_TEXT = SigningSecret.generate().reveal()


def config(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "app_id": "game-1",
        "notify_url": "https://game.example/pay/notify",
        "signing_secret": SECRET_TEXT,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_defaults() -> None:
    app = parse_merchant_app(config())
    assert app.success_rule == SuccessRule(body_equals="success")
    assert app.schedule == {"preset": "alipay"}
    assert app.allowed_channels == frozenset({"alipay", "wechatpay"})
    assert app.notification_format is NotificationFormat.JSON
    assert app.rsa2_private_key is None
    assert app.allow_unregistered_orders is False


def test_every_setting(tmp_path: Path, merchant_key: RSAPrivateKey) -> None:
    pem = merchant_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "merchant.pem").write_bytes(pem)
    app = parse_merchant_app(
        config(
            success={"status": "2xx"},
            schedule={"type": "schedule", "delays": ["0s", "1m", "5m"]},
            allowed_channels=["alipay", "unionpay"],
            format="alipay_form",
            rsa2_private_key_file="keys/merchant.pem",
            allow_unregistered_orders=True,
        ),
        error=ConfigError,
        base_dir=tmp_path,
    )
    assert app.success_rule.body_equals is None
    assert app.schedule == {"type": "schedule", "delays": ["0s", "1m", "5m"]}
    assert app.allowed_channels == frozenset({"alipay", "unionpay"})
    assert app.notification_format is NotificationFormat.ALIPAY_FORM
    assert app.rsa2_private_key is not None
    assert app.rsa2_private_key.private_numbers() == merchant_key.private_numbers()
    assert app.allow_unregistered_orders is True
    inline = parse_merchant_app(config(rsa2_private_key_pem=pem.decode()))
    assert inline.rsa2_private_key is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"app_id": None}, "app_id"),
        ({"app_id": "has space"}, "app_id"),
        ({"notify_url": "ftp://game.example/x"}, "notify_url"),
        ({"notify_url": "https:///nohost"}, "notify_url"),
        ({"notify_url": "https://user:pw@game.example/x"}, "notify_url"),
        ({"signing_secret": "plain-text-secret"}, "signing_secret"),
        ({"signing_secret": "whsec_c2hvcnQ="}, "signing_secret"),
        ({"signing_secret": "whsec_not*base64"}, "signing_secret"),
        ({"success": "success"}, "success"),
        ({"success": {"status": "abc"}}, "success.status"),
        ({"success": {"status_2xx": True}}, "success.status_2xx"),
        ({"schedule": "alipay"}, "schedule"),
        ({"schedule": {"preset": "paypal"}}, "schedule.preset"),
        ({"schedule": {"type": "schedule", "delays": ["2 minutes"]}}, "schedule.delays[0]"),
        ({"allowed_channels": "alipay"}, "allowed_channels"),
        ({"allowed_channels": ["Alipay"]}, "allowed_channels"),
        ({"format": "xml"}, "format"),
        ({"allow_unregistered_orders": "no"}, "allow_unregistered_orders"),
        ({"notfiy_url": "https://typo.example"}, "notfiy_url"),
        ({"rsa2_private_key_file": "missing.pem"}, "rsa2_private_key_file"),
    ],
)
def test_bad_settings_name_their_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_merchant_app(config(**changes))
    assert caught.value.field == field
    with pytest.raises(ConfigError) as as_config:
        parse_merchant_app(config(**changes), error=ConfigError, field_prefix="apps[0].")
    assert as_config.value.field == f"apps[0].{field}"


def test_the_secret_is_never_shown(merchant_key: RSAPrivateKey) -> None:
    app = parse_merchant_app(config())
    secret_body = SECRET_TEXT.removeprefix("whsec_")
    shown = [repr(app), str(app), repr(app.signing_secret), str(app.public_view())]
    for text in shown:
        assert secret_body[:8] not in text
        assert SECRET_TEXT not in text
    assert f"whsec_…{SECRET_TEXT[-4:]}" in repr(app)
    # Errors about the secret do not echo it either.
    with pytest.raises(InvalidInput) as caught:
        parse_merchant_app(config(signing_secret="whsec_" + "A" * 10 + "!"))
    assert "A" * 10 not in caught.value.message
    pem = merchant_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    with_key = parse_merchant_app(config(rsa2_private_key_pem=pem))
    assert "PRIVATE" not in repr(with_key) and "RSAPrivateKey" not in repr(with_key)
    assert with_key.public_view()["rsa2_signing"] is True


def test_secret_wrapper() -> None:
    short = Secret("tiny")
    assert repr(short) == "Secret('…')"
    assert Secret("x" * 20) == Secret("x" * 20)
    assert Secret("x" * 20) != Secret("y" * 20)
    generated = SigningSecret.generate()
    assert len(generated.key_bytes()) == 32
    assert generated.reveal().startswith("whsec_")


def test_default_success_rule_wants_the_literal_success() -> None:
    rule = parse_merchant_app(config()).success_rule
    assert judge(rule, 200, b"success").kind is ResultKind.SUCCESS
    assert judge(rule, 200, b"\xef\xbb\xbfsuccess\r\n").kind is ResultKind.SUCCESS  # PHP + BOM
    for status, body in ((200, b"SUCCESS"), (200, b"ok"), (503, b"success")):
        assert judge(rule, status, body).kind is ResultKind.RETRY


def test_app_can_be_built_directly() -> None:
    app = MerchantApp(
        app_id="a", notify_url="http://127.0.0.1:1/n", signing_secret=SigningSecret.generate()
    )
    assert app.success_rule.body_equals == "success"
    assert app.public_view()["format"] == "json"
