"""A merchant that is down for a while, then answers the wrong body, then recovers:
every notification goes out exactly when the app's schedule (Alipay's) says, driven by
a fake clock, with the same notification id each time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ringback.core.jobs import AttemptOutcome, Job, JobState
from ringback.domain.payments.simulator.merchant_sim import MerchantServer, MerchantSimulator

from .payments_env import AMOUNT, T0, Keys, eventually, running_payments

ALIPAY_OFFSETS = [
    timedelta(0),
    timedelta(minutes=2),
    timedelta(minutes=12),
    timedelta(minutes=22),
    timedelta(hours=1, minutes=22),
]


async def test_down_then_wrong_body_then_recovering_follows_the_schedule(
    tmp_path: Path, keys: Keys
) -> None:
    merchant = MerchantSimulator(
        rsa2_public_key=keys.merchant_rsa2.public_key(), unavailable_first=2, wrong_body_next=1
    )
    server = MerchantServer(merchant)
    await server.start()
    url = server.url
    await server.stop()  # down: connections are refused until it starts again
    try:
        async with running_payments(tmp_path, keys, merchant_url=url) as env:
            merchant.signing_secret = env.app_secrets["game-1"]
            await env.register("ORD-S")
            assert (await env.send("alipay", env.alipay.notify_request("ORD-S", AMOUNT))).text == (
                "success"
            )
            [job] = await env.payment_jobs()

            async def current() -> Job:
                found = await env.svc.store.get_job(job.id)
                assert found is not None
                return found

            # Attempt 1 (at once) meets a closed port; the merchant then comes up.
            job = await eventually(current, lambda j: j.attempts == 1)
            await server.start()
            for number in range(2, 6):
                assert job.state is JobState.SCHEDULED
                assert job.run_at == T0 + ALIPAY_OFFSETS[number - 1]
                env.clock.set(job.run_at)
                job = await eventually(current, lambda j, n=number: j.attempts == n)
            job = await eventually(current, lambda j: j.state.is_final)
            attempts = await env.svc.store.list_attempts(job.id)
    finally:
        await server.stop()

    assert job.state is JobState.SUCCEEDED
    assert [a.started_at - T0 for a in attempts] == ALIPAY_OFFSETS
    assert [a.outcome for a in attempts] == [AttemptOutcome.RETRY] * 4 + [AttemptOutcome.SUCCESS]
    assert attempts[0].status_code is None and attempts[0].error
    assert [a.status_code for a in attempts[1:]] == [503, 503, 200, 200]
    assert attempts[3].response_excerpt == "ok"
    answers = [(r.answer_status, r.answer_body) for r in merchant.received]
    assert answers == [(503, b"service unavailable")] * 2 + [(200, b"ok"), (200, b"success")]
    assert all(r.webhook_signature_ok and r.rsa2_ok for r in merchant.received)
    ids = {r.headers["webhook-id"] for r in merchant.received}
    assert ids == {r.notification_id for r in merchant.received} == {job.key}
    # The body is built once: every delivery carried the same bytes.
    assert len({r.body for r in merchant.received}) == 1
