"""Fixtures: session-wide RSA keys, a merchant server on loopback, the running service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ringback.domain.payments.simulator.merchant_sim import MerchantServer, MerchantSimulator

from .payments_env import Keys, PaymentsEnv, running_payments


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(alipay=_rsa(), wechat=_rsa(), merchant_rsa2=_rsa(), stranger=_rsa())


@pytest.fixture
def merchant_sim() -> MerchantSimulator:
    """A merchant that acknowledges at once; tests change its script as they need."""
    return MerchantSimulator()


@pytest.fixture
async def merchant(merchant_sim: MerchantSimulator) -> AsyncIterator[MerchantServer]:
    async with MerchantServer(merchant_sim) as server:
        yield server


@pytest.fixture
async def env(tmp_path: Path, keys: Keys, merchant: MerchantServer) -> AsyncIterator[PaymentsEnv]:
    async with running_payments(tmp_path, keys, merchant_url=merchant.url) as made:
        # The merchant checks what a real one would: the app's secret, ringback's RSA2 key.
        merchant.simulator.signing_secret = made.app_secrets["game-1"]
        merchant.simulator.rsa2_public_key = keys.merchant_rsa2.public_key()
        yield made
