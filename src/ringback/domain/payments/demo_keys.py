"""Keys for ``ringback demo payments``, made once in a folder under the data folder.

The demo plays Alipay, WeChat Pay and a merchant against a real service, so both sides
need keys: the simulated channels' private keys (only the demo reads them), the public
halves and secrets the service is configured with, and the merchant app's signing secret
and RSA2 key. Whoever needs them first — the service starting with
``[payments] demo_keys = "demo"``, or the demo command — generates them; the other reads
the same files. Never use these for real money: they are for a laptop.

The folder appears atomically (generated under a temporary name, then renamed), so the
API process and the workers starting together agree on one set of keys.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from cryptography.x509.oid import NameOID

from ringback.core.errors import ConfigError
from ringback.domain.payments.keys import load_private_key, load_public_key
from ringback.domain.payments.secret import SigningSecret

ALIPAY_PRIVATE = "alipay-private.pem"  # the simulated Alipay's own key (demo only)
ALIPAY_PUBLIC = "alipay-public.pem"  # what the service verifies with
WECHATPAY_PRIVATE = "wechatpay-private.pem"
WECHATPAY_CERTIFICATE = "wechatpay-platform.pem"  # its serial is the Wechatpay-Serial
WECHATPAY_API_V3_KEY = "wechatpay-apiv3.key"
MERCHANT_SECRET = "demo-shop.whsec"  # the demo merchant app's Standard Webhooks secret
MERCHANT_RSA2_PRIVATE = "demo-shop-rsa2.pem"  # ringback signs the app's notifications
MERCHANT_RSA2_PUBLIC = "demo-shop-rsa2-public.pem"  # the merchant verifies with it
GENERIC_SECRET = "generic.whsec"
FILES = (
    ALIPAY_PRIVATE,
    ALIPAY_PUBLIC,
    WECHATPAY_PRIVATE,
    WECHATPAY_CERTIFICATE,
    WECHATPAY_API_V3_KEY,
    MERCHANT_SECRET,
    MERCHANT_RSA2_PRIVATE,
    MERCHANT_RSA2_PUBLIC,
    GENERIC_SECRET,
)
_PRIVATE_MODE = 0o600
_CERT_VALIDITY = timedelta(days=3650)


def generate_rsa_key() -> RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True, slots=True)
class DemoKeys:
    folder: Path

    def path(self, name: str) -> Path:
        return self.folder / name

    def alipay_private_key(self) -> RSAPrivateKey:
        return load_private_key(self.path(ALIPAY_PRIVATE))

    def wechatpay_private_key(self) -> RSAPrivateKey:
        return load_private_key(self.path(WECHATPAY_PRIVATE))

    def wechatpay_serial(self) -> str:
        certificate = x509.load_pem_x509_certificate(self.path(WECHATPAY_CERTIFICATE).read_bytes())
        return f"{certificate.serial_number:X}"

    def wechatpay_api_v3_key(self) -> str:
        return self.path(WECHATPAY_API_V3_KEY).read_text(encoding="ascii").strip()

    def merchant_secret(self) -> SigningSecret:
        return SigningSecret(self.path(MERCHANT_SECRET).read_text(encoding="ascii").strip())

    def merchant_rsa2_public_key(self) -> RSAPublicKey:
        return load_public_key(self.path(MERCHANT_RSA2_PUBLIC))

    def generic_secret(self) -> SigningSecret:
        return SigningSecret(self.path(GENERIC_SECRET).read_text(encoding="ascii").strip())


def ensure_demo_keys(folder: Path) -> DemoKeys:
    """The demo keys in ``folder``, generated the first time. Raises ConfigError when
    the folder exists but lacks some files (delete it to start over)."""
    if not folder.exists():
        _generate_atomically(folder)
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ConfigError(
            f"demo key folder {folder} lacks {', '.join(missing)}; delete the folder and the "
            "keys are generated again",
            field="payments.demo_keys",
        )
    return DemoKeys(folder)


def _generate_atomically(folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = folder.with_name(f".{folder.name}.{os.getpid()}.{secrets.token_hex(4)}")
    scratch.mkdir(mode=0o700)
    try:
        _write_all(scratch)
        try:
            scratch.rename(folder)
        except OSError:
            if not folder.is_dir():
                raise
            # Another process won the race: its keys are the ones everyone uses.
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


def _write_all(into: Path) -> None:
    alipay = generate_rsa_key()
    _write(into / ALIPAY_PRIVATE, _private_pem(alipay), private=True)
    _write(into / ALIPAY_PUBLIC, _public_pem(alipay.public_key()))
    wechat = generate_rsa_key()
    _write(into / WECHATPAY_PRIVATE, _private_pem(wechat), private=True)
    _write(into / WECHATPAY_CERTIFICATE, _self_signed_certificate(wechat))
    alphabet = string.ascii_letters + string.digits
    api_v3_key = "".join(secrets.choice(alphabet) for _ in range(32))
    _write(into / WECHATPAY_API_V3_KEY, api_v3_key.encode("ascii") + b"\n", private=True)
    merchant_secret = SigningSecret.generate().reveal()
    _write(into / MERCHANT_SECRET, merchant_secret.encode("ascii") + b"\n", private=True)
    merchant = generate_rsa_key()
    _write(into / MERCHANT_RSA2_PRIVATE, _private_pem(merchant), private=True)
    _write(into / MERCHANT_RSA2_PUBLIC, _public_pem(merchant.public_key()))
    generic_secret = SigningSecret.generate().reveal()
    _write(into / GENERIC_SECRET, generic_secret.encode("ascii") + b"\n", private=True)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    mode = _PRIVATE_MODE if private else 0o644
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with contextlib.closing(os.fdopen(descriptor, "wb")) as handle:
        handle.write(data)


def _private_pem(key: RSAPrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def _public_pem(key: RSAPublicKey) -> bytes:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def _self_signed_certificate(key: RSAPrivateKey) -> bytes:
    """A platform certificate like the ones WeChat Pay hands out, self-signed."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ringback demo WeChat Pay")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + _CERT_VALIDITY)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(Encoding.PEM)
