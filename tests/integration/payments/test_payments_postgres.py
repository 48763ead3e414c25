"""The same flow on PostgreSQL: the records API and the one-transaction guarantee hold
on the other store too (a schema of its own in the session's test database)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ringback.core.jobs import JobState
from ringback.domain.payments.audit import NS_NOTIFICATION, NS_REJECTED
from ringback.domain.payments.money import Money
from ringback.domain.payments.simulator.merchant_sim import MerchantServer

from .payments_env import AMOUNT, Keys, PaymentsEnv, eventually, running_payments

pytestmark = pytest.mark.postgres


@pytest.fixture
def schema() -> str:
    return f"pay_{secrets.token_hex(4)}"


@pytest.fixture
async def pg_env(
    tmp_path: Path, keys: Keys, merchant: MerchantServer, pg_database_url: str, schema: str
) -> AsyncIterator[PaymentsEnv]:
    url = f"{pg_database_url}?schema={schema}"
    async with running_payments(tmp_path, keys, merchant_url=merchant.url, store_url=url) as made:
        merchant.simulator.signing_secret = made.app_secrets["game-1"]
        merchant.simulator.rsa2_public_key = keys.merchant_rsa2.public_key()
        yield made


async def test_paid_replayed_and_refused_on_postgres(pg_env: PaymentsEnv, merchant):
    env = pg_env
    await env.register("PG-1")
    request = env.alipay.notify_request("PG-1", AMOUNT)
    assert (await env.send("alipay", request)).text == "success"
    assert (await env.send("alipay", request)).text == "success"  # the resend
    wrong = env.alipay.notify_request("PG-1", Money(1, "CNY"))
    assert (await env.send("alipay", wrong)).text == "fail"

    key = (await env.payments.order_status("game-1", "PG-1")).order.notices[0].job_key

    async def state() -> JobState:
        job = await env.svc.store.get_job_by_key(key)
        assert job is not None
        return job.state

    await eventually(state, lambda s: s is JobState.SUCCEEDED)
    [got] = merchant.simulator.received
    assert got.webhook_signature_ok and got.rsa2_ok
    assert len(await env.payment_jobs()) == 1
    assert await env.svc.store.count_records(NS_NOTIFICATION) == 1
    [rejected] = (await env.payments.list_rejected()).records
    assert rejected.data["reason_code"] == "amount_mismatch"
    assert await env.svc.store.count_records(NS_REJECTED) == 1


async def test_order_and_job_commit_together_on_postgres(
    pg_env: PaymentsEnv, pg_database_url: str, schema: str
):
    env = pg_env
    await env.register("PG-2")
    jobs = sql.Identifier(schema, "jobs")
    async with await psycopg.AsyncConnection.connect(pg_database_url, autocommit=True) as admin:
        refuse = sql.Identifier(schema, "refuse")
        await admin.execute(
            sql.SQL(
                "CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
            ).format(refuse)
        )
        await admin.execute(
            sql.SQL(
                "CREATE TRIGGER refuse BEFORE INSERT ON {} FOR EACH ROW EXECUTE FUNCTION {}()"
            ).format(jobs, refuse)
        )
        request = env.alipay.notify_request("PG-2", AMOUNT)
        assert (await env.send("alipay", request)).text == "fail"
        order = (await env.payments.order_status("game-1", "PG-2")).order
        assert (order.status.value, order.version) == ("pending", 1)
        assert await env.svc.store.count_records(NS_NOTIFICATION) == 0
        await admin.execute(sql.SQL("DROP TRIGGER refuse ON {}").format(jobs))
    assert (await env.send("alipay", request)).text == "success"
    assert (await env.payments.order_status("game-1", "PG-2")).order.status.value == "paid"
