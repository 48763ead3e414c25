"""Loading RSA keys from PEM files, with errors that name the file and the problem.

Operators paste keys from the Alipay and WeChat Pay consoles, which hand out several
shapes (bare base64, certificates, PKCS#1 and PKCS#8). Each mistake gets its own
message so the fix is obvious from the error alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
)

from ringback.core.errors import ConfigError

# RSA2 means 2048-bit keys; anything shorter is refused rather than trusted.
MIN_RSA_BITS = 2048
_PEM_BEGIN = b"-----BEGIN "
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=\s]+")


def _read(path: Path, field: str | None) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"key file {path} does not exist", field=field) from None
    except IsADirectoryError:
        raise ConfigError(f"key file {path} is a directory", field=field) from None
    except OSError as exc:
        raise ConfigError(f"key file {path} cannot be read: {exc.strerror}", field=field) from None


def _pem_label(data: bytes, source: str, field: str | None) -> str:
    stripped = data.strip()
    if not stripped:
        raise ConfigError(f"{source} is empty", field=field)
    if not stripped.startswith(_PEM_BEGIN):
        looks_base64 = _BASE64_TEXT.fullmatch(stripped) is not None
        hint = (
            " (it looks like bare base64: put it between '-----BEGIN PUBLIC KEY-----' / "
            "'-----END PUBLIC KEY-----' lines, or the PRIVATE KEY equivalents)"
            if looks_base64
            else ""
        )
        raise ConfigError(f"{source} is not PEM{hint}", field=field)
    first_line = stripped.split(b"\n", 1)[0].strip()
    return first_line[len(_PEM_BEGIN) :].rstrip(b"-").decode("ascii", "replace")


def _check_size(bits: int, source: str, field: str | None) -> None:
    if bits < MIN_RSA_BITS:
        raise ConfigError(
            f"{source} holds a {bits}-bit RSA key; at least {MIN_RSA_BITS} bits are required",
            field=field,
        )


def parse_public_key_pem(
    data: bytes, *, source: str = "public key", field: str | None = None
) -> RSAPublicKey:
    """An RSA public key from PEM text: ``PUBLIC KEY``, ``RSA PUBLIC KEY`` or a
    ``CERTIFICATE`` (WeChat Pay platform certificates carry the key this way)."""
    label = _pem_label(data, source, field)
    if "PRIVATE KEY" in label:
        raise ConfigError(
            f"{source} is a private key where a public key is expected "
            "(use the channel's public key, never share a private key)",
            field=field,
        )
    key: object
    try:
        if label == "CERTIFICATE":
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = load_pem_public_key(data)
    except ValueError as exc:
        raise ConfigError(f"{source} is not a valid PEM {label}: {exc}", field=field) from None
    except Exception as exc:  # unsupported algorithms surface as several types
        raise ConfigError(f"{source} cannot be loaded: {exc}", field=field) from None
    if not isinstance(key, RSAPublicKey):
        raise ConfigError(
            f"{source} is a {type(key).__name__} key, not RSA (RSA2 needs RSA)", field=field
        )
    _check_size(key.key_size, source, field)
    return key


def parse_private_key_pem(
    data: bytes,
    *,
    source: str = "private key",
    field: str | None = None,
    password: bytes | None = None,
) -> RSAPrivateKey:
    """An RSA private key from PEM text (PKCS#1 ``RSA PRIVATE KEY`` or PKCS#8)."""
    label = _pem_label(data, source, field)
    if "PRIVATE KEY" not in label:
        raise ConfigError(f"{source} is a {label} where a private key is expected", field=field)
    key: object
    try:
        key = load_pem_private_key(data, password=password)
    except TypeError as exc:  # password missing or given for an unencrypted key
        raise ConfigError(f"{source}: {exc}", field=field) from None
    except ValueError as exc:
        raise ConfigError(f"{source} is not a valid PEM {label}: {exc}", field=field) from None
    except Exception as exc:
        raise ConfigError(f"{source} cannot be loaded: {exc}", field=field) from None
    if not isinstance(key, RSAPrivateKey):
        raise ConfigError(
            f"{source} is a {type(key).__name__} key, not RSA (RSA2 needs RSA)", field=field
        )
    _check_size(key.key_size, source, field)
    return key


def load_public_key(path: str | Path, *, field: str | None = None) -> RSAPublicKey:
    """Read an RSA public key (or certificate) PEM file. Raises ConfigError."""
    file = Path(path)
    return parse_public_key_pem(_read(file, field), source=f"key file {file}", field=field)


def load_private_key(
    path: str | Path, *, field: str | None = None, password: bytes | None = None
) -> RSAPrivateKey:
    """Read an RSA private key PEM file. Raises ConfigError."""
    file = Path(path)
    return parse_private_key_pem(
        _read(file, field), source=f"key file {file}", field=field, password=password
    )
