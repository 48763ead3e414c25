"""Alipay-style "RSA2" parameter signatures: SHA256withRSA (PKCS#1 v1.5) over the
parameters sorted by key and joined as ``k1=v1&k2=v2``.

The same rule verifies Alipay's notifications and signs ringback's own notifications to
merchants who already verify Alipay's, so it lives in one place. Excluded from the
signed content: ``sign``, ``sign_type`` and empty values (Alipay omits them too).
Values are used as decoded text, unescaped; the content is encoded in the message's
charset (UTF-8 unless the message says otherwise, e.g. GBK) before hashing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

SIGN_FIELD = "sign"
SIGN_TYPE_FIELD = "sign_type"
SIGN_TYPE_RSA2 = "RSA2"
_EXCLUDED = frozenset({SIGN_FIELD, SIGN_TYPE_FIELD})

ParamValue = str | int | None


def _as_text(key: str, value: ParamValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):  # a bool is an int, but "True" is no wire value
        raise TypeError(f"parameter {key!r}: booleans have no RSA2 text form")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"parameter {key!r}: {type(value).__name__} has no RSA2 text form")


def sign_content(params: Mapping[str, ParamValue]) -> str:
    """The text that is signed: sorted ``key=value`` pairs joined with ``&``."""
    pairs: list[str] = []
    for key in sorted(params):
        if key in _EXCLUDED:
            continue
        text = _as_text(key, params[key])
        if text is None or text == "":
            continue
        pairs.append(f"{key}={text}")
    return "&".join(pairs)


def rsa2_sign(
    params: Mapping[str, ParamValue], private_key: RSAPrivateKey, *, charset: str = "utf-8"
) -> str:
    """The base64 signature for ``params`` (what goes into ``sign``)."""
    content = sign_content(params).encode(charset)
    signature = private_key.sign(content, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def rsa2_verify(
    params: Mapping[str, ParamValue],
    signature_b64: str,
    public_key: RSAPublicKey,
    *,
    charset: str = "utf-8",
) -> bool:
    """True when ``signature_b64`` is a valid RSA2 signature of ``params``."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        content = sign_content(params).encode(charset)
    except UnicodeEncodeError:
        return False
    try:
        public_key.verify(signature, content, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
