from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from cryptography.x509.oid import NameOID

from ringback.core.errors import ConfigError
from ringback.domain.payments.keys import load_private_key, load_public_key
from ringback.domain.payments.rsa2 import rsa2_sign, rsa2_verify, sign_content


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def public_pem(key: RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def private_pem(key: RSAPrivateKey, fmt: PrivateFormat = PrivateFormat.PKCS8) -> bytes:
    return key.private_bytes(Encoding.PEM, fmt, NoEncryption())


def test_sign_content_sorts_and_skips_sign_type_and_empty_values() -> None:
    params = {
        "total_amount": "88.88",
        "app_id": "2021",
        "sign": "xxx",
        "sign_type": "RSA2",
        "buyer_id": "",
        "note": None,
        "amount_minor": 8888,
        "subject": "钻石 & more=1",
    }
    assert sign_content(params) == (
        "amount_minor=8888&app_id=2021&subject=钻石 & more=1&total_amount=88.88"
    )
    with pytest.raises(TypeError):
        sign_content({"flag": True})


def test_rsa2_round_trip_in_utf8_and_gbk(
    alipay_key: RSAPrivateKey, other_key: RSAPrivateKey
) -> None:
    params = {"out_trade_no": "A1", "subject": "钻石礼包", "total_amount": "6.00"}
    for charset in ("utf-8", "gbk"):
        signature = rsa2_sign(params, alipay_key, charset=charset)
        assert rsa2_verify(params, signature, alipay_key.public_key(), charset=charset)
        assert not rsa2_verify(
            {**params, "total_amount": "0.01"}, signature, alipay_key.public_key(), charset=charset
        )
        assert not rsa2_verify(params, signature, other_key.public_key(), charset=charset)
    utf8_signature = rsa2_sign(params, alipay_key)
    assert not rsa2_verify(params, utf8_signature, alipay_key.public_key(), charset="gbk")
    assert not rsa2_verify(params, "not base64!", alipay_key.public_key())


def test_loads_public_keys_in_every_shape(tmp_path: Path, alipay_key: RSAPrivateKey) -> None:
    spki = write(tmp_path / "spki.pem", public_pem(alipay_key))
    pkcs1 = write(
        tmp_path / "pkcs1.pem",
        alipay_key.public_key().public_bytes(Encoding.PEM, PublicFormat.PKCS1),
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(alipay_key.public_key())
        .serial_number(0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(alipay_key, hashes.SHA256())
    )
    certificate = write(tmp_path / "cert.pem", cert.public_bytes(Encoding.PEM))
    expected = alipay_key.public_key().public_numbers()
    for path in (spki, pkcs1, certificate):
        assert load_public_key(path).public_numbers() == expected
    for label, fmt in (("pkcs8", PrivateFormat.PKCS8), ("pkcs1", PrivateFormat.TraditionalOpenSSL)):
        path = write(tmp_path / f"private-{label}.pem", private_pem(alipay_key, fmt))
        assert load_private_key(path).private_numbers() == alipay_key.private_numbers()


def config_error(load: object, path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load(path, field="alipay.public_key_file")  # type: ignore[operator]
    assert caught.value.field == "alipay.public_key_file"
    assert str(path) in caught.value.message
    return caught.value.message


def test_key_errors_name_the_file_and_the_problem(
    tmp_path: Path, alipay_key: RSAPrivateKey
) -> None:
    assert "does not exist" in config_error(load_public_key, tmp_path / "missing.pem")
    assert "is a directory" in config_error(load_public_key, tmp_path)
    assert "is empty" in config_error(load_public_key, write(tmp_path / "empty.pem", b"\n"))
    bare = b"".join(public_pem(alipay_key).splitlines()[1:-1])
    message = config_error(load_public_key, write(tmp_path / "bare.txt", bare))
    assert "not PEM" in message and "bare base64" in message
    garbage = write(tmp_path / "junk.pem", b"hello: world\n")
    assert "not PEM" in config_error(load_public_key, garbage)
    private = write(tmp_path / "private.pem", private_pem(alipay_key))
    assert "private key where a public key is expected" in config_error(load_public_key, private)
    public = write(tmp_path / "public.pem", public_pem(alipay_key))
    assert "where a private key is expected" in config_error(load_private_key, public)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_pem = ec_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    assert "not RSA" in config_error(load_public_key, write(tmp_path / "ec.pem", ec_pem))
    corrupt = public_pem(alipay_key).replace(b"MII", b"XXX", 1)
    assert "not a valid PEM" in config_error(load_public_key, write(tmp_path / "bad.pem", corrupt))


def test_short_rsa_keys_are_refused(tmp_path: Path) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    assert "1024-bit" in config_error(
        load_public_key, write(tmp_path / "weak.pem", public_pem(weak))
    )
