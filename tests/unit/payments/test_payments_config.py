"""The ``[payments]`` section: keys from files, every mistake a ConfigError naming it."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from ringback.core.clock import SystemClock
from ringback.core.errors import ConfigError
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.jobs import JobKind
from ringback.core.service import JobService
from ringback.core.store.sqlite import SqliteStore
from ringback.domain.payments.channels import AlipayVerifier, GenericVerifier, WechatPayVerifier
from ringback.domain.payments.config import parse_payments_config
from ringback.domain.payments.demo_keys import FILES, ensure_demo_keys
from ringback.domain.payments.money import Money
from ringback.domain.payments.secret import SigningSecret
from ringback.domain.payments.service import PaymentsService
from ringback.domain.payments.simulator.alipay_sim import AlipaySimulator
from ringback.domain.payments.simulator.wechatpay_sim import WechatPaySimulator

SECRET = SigningSecret.generate().reveal()
API_V3_KEY = "0123456789abcdefghijklmnopqrstuv"


def public_pem(key: RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture
def folder(tmp_path: Path, alipay_key: RSAPrivateKey, wechat_key: RSAPrivateKey) -> Path:
    (tmp_path / "alipay.pem").write_bytes(public_pem(alipay_key))
    (tmp_path / "wechat.pem").write_bytes(public_pem(wechat_key))
    (tmp_path / "apiv3.key").write_text(API_V3_KEY + "\n")
    (tmp_path / "app.whsec").write_text(SECRET + "\n")
    return tmp_path


def section(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "apps": [
            {
                "app_id": "game-1",
                "notify_url": "https://game.example/notify",
                "signing_secret_file": "app.whsec",
                "allowed_channels": ["alipay", "wechatpay", "generic"],
            }
        ],
        "alipay": {"app_id": "2021000000000001", "public_key_file": "alipay.pem"},
        "wechatpay": {
            "appid": "wx1",
            "mchid": "123",
            "api_v3_key_file": "apiv3.key",
            "platform_public_keys": {"SERIAL1": "wechat.pem"},
        },
        "generic": {"secret": SigningSecret.generate().reveal()},
    }
    raw.update(changes)
    return raw


def test_a_complete_section(folder: Path) -> None:
    config = parse_payments_config(section(), base_dir=folder)
    assert config is not None
    assert list(config.apps) == ["game-1"]
    assert config.apps["game-1"].signing_secret.reveal() == SECRET
    assert isinstance(config.verifier("alipay"), AlipayVerifier)
    assert isinstance(config.verifier("wechatpay"), WechatPayVerifier)
    assert isinstance(config.verifier("generic"), GenericVerifier)
    assert config.verifier("unionpay") is None
    assert config.named_secrets() == {"payments:game-1": SECRET}
    assert config.apps_for_channel("alipay") == ("game-1",)
    assert config.channels["alipay"].channel_app_id == "2021000000000001"


def test_an_empty_section_turns_payments_off(folder: Path) -> None:
    assert parse_payments_config({}, base_dir=folder) is None


def test_the_keys_verify_what_the_simulators_sign(folder: Path, alipay_key, wechat_key) -> None:
    config = parse_payments_config(section(), base_dir=folder)
    assert config is not None
    alipay = AlipaySimulator(private_key=alipay_key)
    request = alipay.notify_request("O-1", Money(100, "CNY"))
    verifier = config.verifier("alipay")
    assert verifier is not None
    assert verifier.verify(request.headers, request.body, datetime.now(UTC)).order_no == "O-1"
    wechat = WechatPaySimulator(
        private_key=wechat_key, serial="SERIAL1", api_v3_key=API_V3_KEY, appid="wx1", mchid="123"
    )
    signed = wechat.notification("O-2", Money(100, "CNY"))
    wechat_verifier = config.verifier("wechatpay")
    assert wechat_verifier is not None
    assert wechat_verifier.verify(signed.headers, signed.body, datetime.now(UTC)).order_no == "O-2"


ALIPAY = {"app_id": "A", "public_key_file": "alipay.pem"}
WECHAT = {"appid": "w", "mchid": "1", "api_v3_key": API_V3_KEY}
KEYED = {"platform_public_keys": {"S": "wechat.pem"}}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"alipay": {**ALIPAY, "public_key_file": "gone.pem"}},
            "alipay.public_key_file",
            "does not exist",
        ),
        (
            {"alipay": {**ALIPAY, "public_key_file": "apiv3.key"}},
            "alipay.public_key_file",
            "not PEM",
        ),
        ({"alipay": {"app_id": "A"}}, "alipay.public_key_file", "is required"),
        ({"alipay": {**ALIPAY, "colour": 1}}, "alipay.colour", "unknown"),
        ({"alipay": {**ALIPAY, "apps": ["x"]}}, "alipay.apps", "not a configured"),
        (
            {"wechatpay": {**WECHAT, **KEYED, "api_v3_key": "short"}},
            "wechatpay.api_v3_key",
            "32 bytes",
        ),
        ({"wechatpay": WECHAT}, "wechatpay.platform_certificates", "at least one"),
        (
            {"wechatpay": {**WECHAT, "platform_certificates": ["wechat.pem"]}},
            "wechatpay.platform_certificates[0]",
            "not a certificate",
        ),
        ({"generic": {"secret": "nope"}}, "generic.secret", "whsec_"),
        ({"generic": {}}, "generic.secret", "is required"),
        ({"apps": []}, "apps", "at least one"),
        ({"paypal": {}}, "paypal", "unknown"),
    ],
)
def test_mistakes_name_their_key(folder: Path, changes, field, words) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_payments_config(section(**changes), base_dir=folder)
    assert caught.value.field == f"payments.{field}"
    assert words in caught.value.message


def test_app_mistakes_name_the_app_entry(folder: Path) -> None:
    apps = section()["apps"]
    twice = [apps[0], dict(apps[0])]
    with pytest.raises(ConfigError) as caught:
        parse_payments_config(section(apps=twice), base_dir=folder)
    assert caught.value.field == "payments.apps[1].app_id"
    missing = [{**apps[0], "signing_secret_file": "gone.whsec"}]
    with pytest.raises(ConfigError) as caught:
        parse_payments_config(section(apps=missing), base_dir=folder)
    assert caught.value.field == "payments.apps[0].signing_secret_file"
    both = [{**apps[0], "signing_secret": SECRET}]
    with pytest.raises(ConfigError) as caught:
        parse_payments_config(section(apps=both), base_dir=folder)
    assert SECRET not in caught.value.message


def test_generic_needs_an_app_that_allows_it(folder: Path) -> None:
    apps = [{**section()["apps"][0], "allowed_channels": ["alipay"]}]
    with pytest.raises(ConfigError) as caught:
        parse_payments_config(section(apps=apps), base_dir=folder)
    assert caught.value.field == "payments.generic.apps"


def test_demo_keys_are_made_once_privately_and_configure_the_channels(tmp_path: Path) -> None:
    keys = ensure_demo_keys(tmp_path / "demo")
    assert sorted(p.name for p in keys.folder.iterdir()) == sorted(FILES)
    mode = stat.S_IMODE((keys.folder / "alipay-private.pem").stat().st_mode)
    assert mode == 0o600
    before = (keys.folder / "demo-shop.whsec").read_text()
    assert ensure_demo_keys(tmp_path / "demo").merchant_secret().reveal() == before.strip()

    raw = {
        "demo_keys": "demo",
        "apps": [
            {
                "app_id": "demo-shop",
                "notify_url": "http://127.0.0.1:8766/notify",
                "signing_secret_file": "demo/demo-shop.whsec",
                "rsa2_private_key_file": "demo/demo-shop-rsa2.pem",
            }
        ],
        "alipay": {"app_id": "2021000000000001", "public_key_file": "demo/alipay-public.pem"},
        "wechatpay": {
            "appid": "wx1",
            "mchid": "1",
            "api_v3_key_file": "demo/wechatpay-apiv3.key",
            "platform_certificates": ["demo/wechatpay-platform.pem"],
        },
    }
    config = parse_payments_config(raw, base_dir=tmp_path)
    assert config is not None and config.demo_keys == keys
    wechat = WechatPaySimulator(
        private_key=keys.wechatpay_private_key(),
        serial=keys.wechatpay_serial(),
        api_v3_key=keys.wechatpay_api_v3_key(),
        appid="wx1",
        mchid="1",
    )
    signed = wechat.notification("D-1", Money(100, "CNY"))
    verifier = config.verifier("wechatpay")
    assert verifier is not None
    assert verifier.verify(signed.headers, signed.body, datetime.now(UTC)).order_no == "D-1"


def test_an_incomplete_demo_folder_is_an_error(tmp_path: Path) -> None:
    keys = ensure_demo_keys(tmp_path / "demo")
    (keys.folder / "alipay-public.pem").unlink()
    with pytest.raises(ConfigError) as caught:
        ensure_demo_keys(tmp_path / "demo")
    assert "alipay-public.pem" in caught.value.message


def test_private_keys_of_apps_are_read_relative_to_the_base(folder: Path, merchant_key) -> None:
    pem = merchant_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    (folder / "rsa2.pem").write_bytes(pem)
    apps = [{**section()["apps"][0], "rsa2_private_key_file": "rsa2.pem"}]
    config = parse_payments_config(section(apps=apps), base_dir=folder)
    assert config is not None and config.apps["game-1"].rsa2_private_key is not None


async def test_an_app_url_the_http_executor_would_refuse_stops_the_start(
    folder: Path, tmp_path: Path
) -> None:
    apps = [{**section()["apps"][0], "notify_url": "http://127.0.0.1:8080/notify"}]
    config = parse_payments_config(section(apps=apps), base_dir=folder)
    assert config is not None
    options = HttpOptions(
        signing_secret=SigningSecret.generate().reveal(), named_secrets=config.named_secrets()
    )
    store = SqliteStore(tmp_path / "unused.db")  # never opened: nothing is written
    jobs = JobService(store, SystemClock(), {JobKind.HTTP: HttpExecutor(options)})
    with pytest.raises(ConfigError) as caught:
        PaymentsService(store, SystemClock(), config, jobs)
    assert caught.value.field == "payments.apps[0].notify_url"
    assert "private" in caught.value.message
