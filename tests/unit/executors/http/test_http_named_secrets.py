"""Per-job signing secrets: a payload names one of the operator's secrets, never holds it."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.executors.base import ResultKind
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import generate_secret, verify


@pytest.fixture
def app_secret() -> str:
    return generate_secret()


@pytest.fixture
def named_options(secret: str, app_secret: str) -> HttpOptions:
    return HttpOptions(
        signing_secret=secret,
        allow_private=True,
        named_secrets={"payments:game-1": app_secret},
    )


@pytest.fixture
async def named_executor(named_options: HttpOptions):
    made = HttpExecutor(named_options)
    yield made
    await made.close()


def test_named_secrets_stay_out_of_the_repr(named_options, app_secret):
    assert app_secret[6:] not in repr(named_options)
    assert "payments:game-1" not in repr(named_options)


@pytest.mark.parametrize(
    ("named", "field"),
    [
        ({"bad name": generate_secret()}, "named_secrets"),
        ({"": generate_secret()}, "named_secrets"),
        ({"app": "whsec_???"}, "named_secrets.app"),
        ({"app": "not-a-secret"}, "named_secrets.app"),
    ],
)
def test_bad_named_secrets_are_refused_at_start(secret, named, field):
    with pytest.raises(ConfigError) as caught:
        HttpOptions(signing_secret=secret, named_secrets=named)
    assert caught.value.field == field
    for value in named.values():
        assert value not in caught.value.message


def test_prepare_keeps_the_name_and_only_the_name(named_executor, app_secret):
    prepared = named_executor.prepare(
        {"url": "http://127.0.0.1:9/n", "body": "x", "signing_secret": "payments:game-1"}
    )
    assert prepared.payload["signing_secret"] == "payments:game-1"
    assert app_secret not in json.dumps(prepared.payload)
    assert named_executor.prepare(prepared.payload) == prepared


def test_without_a_name_the_payload_has_no_signing_secret_field(named_executor):
    prepared = named_executor.prepare({"url": "http://127.0.0.1:9/n"})
    assert "signing_secret" not in prepared.payload


@pytest.mark.parametrize("name", ["payments:other", "", 7, ["payments:game-1"]])
def test_an_unknown_or_malformed_name_is_refused(named_executor, name):
    with pytest.raises(InvalidInput) as caught:
        named_executor.prepare({"url": "http://127.0.0.1:9/n", "signing_secret": name})
    assert caught.value.field == "payload.signing_secret"


async def test_the_named_secret_signs_instead_of_the_global_one(
    receiver, answer, named_executor, deliver, secret, app_secret
):
    hook = await receiver(answer("success"))
    result = await deliver(
        named_executor,
        {"url": hook.url(), "body": '{"order":"A1"}', "signing_secret": "payments:game-1"},
        key="ntf_0123456789abcdef",
    )
    assert result.kind is ResultKind.SUCCESS
    [seen] = hook.seen
    assert seen.headers["webhook-id"] == "ntf_0123456789abcdef"
    timestamp = int(seen.headers["webhook-timestamp"])
    signature = seen.headers["webhook-signature"]
    assert verify(app_secret, "ntf_0123456789abcdef", timestamp, seen.body, signature)
    assert not verify(secret, "ntf_0123456789abcdef", timestamp, seen.body, signature)
    # And a merchant using the official library accepts it with its own secret only.
    Webhook(app_secret).verify(seen.body, seen.headers, json_parse=False)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(seen.body, seen.headers, json_parse=False)


async def test_a_job_whose_secret_was_removed_fails_without_sending(
    receiver, answer, named_executor, secret, make_job
):
    hook = await receiver(answer("success"))
    prepared = named_executor.prepare(
        {"url": hook.url(), "body": "x", "signing_secret": "payments:game-1"}
    )
    without = HttpExecutor(HttpOptions(signing_secret=secret, allow_private=True))
    try:
        result = await without.execute(make_job(prepared.payload))
    finally:
        await without.close()
    assert result.kind is ResultKind.FAIL
    assert result.error is not None and "payload.signing_secret" in result.error
    assert hook.seen == []
