"""Standard Webhooks signing, checked against the official library."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from ringback.core.executors.http.signing import (
    Signer,
    decode_secret,
    generate_secret,
    message_id,
    sign,
    verify,
)

TIMESTAMP = 1_767_225_600  # 2026-01-01T00:00:00Z


def test_generated_secrets_are_random_24_byte_keys():
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_") and first != second
    assert len(decode_secret(first)) == 24


def test_our_signature_equals_the_official_librarys():
    secret = generate_secret()
    body = '{"order":"A1","amount":1250,"note":"订单"}'
    ours = sign(secret, "msg_1", TIMESTAMP, body)
    theirs = Webhook(secret).sign("msg_1", datetime.fromtimestamp(TIMESTAMP, UTC), body)
    assert ours == theirs
    assert ours.startswith("v1,")


def test_signer_matches_sign_and_hides_its_key():
    secret = generate_secret()
    signer = Signer(secret)
    assert signer.sign("job_1", TIMESTAMP, b"x") == sign(secret, "job_1", TIMESTAMP, b"x")
    assert secret[6:] not in repr(signer)


def test_verify_accepts_the_right_signature_among_several():
    secret = generate_secret()
    good = sign(secret, "m", TIMESTAMP, b"body")
    other = sign(generate_secret(), "m", TIMESTAMP, b"body")
    assert verify(secret, "m", TIMESTAMP, b"body", f"{other} {good}")
    assert not verify(secret, "m", TIMESTAMP, b"body!", good)
    assert not verify(secret, "m", TIMESTAMP + 1, b"body", good)
    assert not verify(secret, "n", TIMESTAMP, b"body", good)


def test_unpadded_secrets_are_accepted():
    secret = "whsec_" + base64.b64encode(b"k" * 20).decode().rstrip("=")
    assert decode_secret(secret) == b"k" * 20


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("sk_abc", "starts with 'whsec_'"),
        ("whsec_not base64!", "not valid base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "at least 16 bytes"),
    ],
)
def test_malformed_secrets_are_refused_without_echoing_them(secret, message):
    with pytest.raises(ValueError, match=message) as caught:
        decode_secret(secret)
    assert secret not in str(caught.value)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("notify:order-77", "notify:order-77"),
        (None, "job_5"),
        ("", "job_5"),
        ("has space", "job_5"),
        ("订单", "job_5"),
        ("k" * 256, "job_5"),
        ("k" * 255, "k" * 255),
    ],
)
def test_message_id_is_the_key_when_it_fits_a_header(key, expected):
    assert message_id(5, key) == expected
