"""Shared fixtures: real RSA keys, generated once per session (2048-bit generation is
the slow part), and simulators built around them with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ringback.core.clock import FakeClock
from ringback.domain.payments.simulator.alipay_sim import AlipaySimulator, generate_rsa_key
from ringback.domain.payments.simulator.wechatpay_sim import WechatPaySimulator

START = datetime(2026, 3, 14, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def alipay_key() -> RSAPrivateKey:
    return generate_rsa_key()


@pytest.fixture(scope="session")
def wechat_key() -> RSAPrivateKey:
    return generate_rsa_key()


@pytest.fixture(scope="session")
def other_key() -> RSAPrivateKey:
    """A stranger's key: signatures made with it must never verify."""
    return generate_rsa_key()


@pytest.fixture(scope="session")
def merchant_key() -> RSAPrivateKey:
    return generate_rsa_key()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def alipay(alipay_key: RSAPrivateKey, clock: FakeClock) -> AlipaySimulator:
    return AlipaySimulator(private_key=alipay_key, clock=clock)


@pytest.fixture
def wechat(wechat_key: RSAPrivateKey, clock: FakeClock) -> WechatPaySimulator:
    return WechatPaySimulator(private_key=wechat_key, clock=clock)
