"""The outbox: a captured payment and the callback to its merchant commit together.

A payment service that commits the payment and then enqueues the notification can
crash in between (the merchant is never told); one that enqueues first can tell the
merchant about a payment that then rolls back. Here the notification job is written
with the service's own connection, inside its own transaction: both rows commit, or
neither does.

    RINGBACK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/shop \\
        .venv/bin/python examples/outbox.py

Three payments:

* T1 is captured: the payment row and its notification job commit together;
* T2 is refused by the ledger after both were written: the transaction rolls back
  and takes the job with it, so no merchant hears of a payment that does not exist;
* T3 is captured from async code, with ``await ringback.enqueue(conn, job)``.

Run it twice: the second time every insert finds its row and nothing new is made
(the payment by its primary key, the job by its idempotency key). A running
``ringback worker`` on the same database starts each callback as soon as its
transaction commits. ringback's own parameters in the URL (``?schema=…``) are taken
out before connecting, exactly as the service does.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from typing import Any

import psycopg

import ringback
from ringback.core.jobs import JobKind, NewJob
from ringback.core.store.contract import EnqueueResult
from ringback.core.store.postgres import PostgresStore
from ringback.core.store.postgres.settings import settings_from_url

MERCHANT_URL = "https://merchant.example/pay/notify"

CREATE_PAYMENTS = """
CREATE TABLE IF NOT EXISTS payments (
    trade_no text PRIMARY KEY,
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    status text NOT NULL
)
"""
INSERT_PAYMENT = """
INSERT INTO payments (trade_no, amount_minor, status) VALUES (%s, %s, 'captured')
ON CONFLICT (trade_no) DO NOTHING
"""


class LedgerRefused(Exception):
    """The service's own check failed after the rows were written."""


def notification(trade_no: str, amount_minor: int) -> NewJob:
    return NewJob(
        kind=JobKind.HTTP,
        payload={
            "url": MERCHANT_URL,
            "method": "POST",
            "json": {
                "out_trade_no": trade_no,
                "total_amount_minor": amount_minor,
                "trade_status": "TRADE_SUCCESS",
            },
        },
        policy={"preset": "alipay"},  # now, then 2m, 10m, 10m, 1h, 2h, 6h, 15h
        run_at=datetime.now(UTC),
        key=f"notify:{trade_no}",  # one notification per payment, however often we run
        target="merchant.example:443",  # what per-receiver concurrency counts by
        labels={"merchant": "m-1001"},
    )


def capture(
    conn: psycopg.Connection[Any],
    trade_no: str,
    amount_minor: int,
    *,
    schema: str,
    ledger_accepts: bool = True,
) -> EnqueueResult:
    with conn.transaction():  # commits at the end of the block, rolls back on an exception
        conn.execute(INSERT_PAYMENT, [trade_no, amount_minor])
        job = notification(trade_no, amount_minor)
        result: EnqueueResult = ringback.enqueue_sync(conn, job, schema=schema)
        if not ledger_accepts:
            raise LedgerRefused(f"ledger refused {trade_no}")
    return result


async def capture_async(conninfo: str, trade_no: str, amount_minor: int, schema: str) -> None:
    async with await psycopg.AsyncConnection.connect(conninfo) as conn, conn.transaction():
        await conn.execute(INSERT_PAYMENT, [trade_no, amount_minor])
        result = await ringback.enqueue(conn, notification(trade_no, amount_minor), schema=schema)
    print(f"{trade_no}: captured (async), job {result.job.id} created={result.created}")


async def create_ringback_schema(url: str) -> None:
    # `ringback migrate` (or the first `ringback serve`) does this; here the example
    # stands alone.
    store = PostgresStore.from_url(url)
    await store.open()
    await store.close()


def main() -> None:
    url = os.environ["RINGBACK_DATABASE_URL"]
    settings = settings_from_url(url)  # the libpq URL and the schema ringback uses
    asyncio.run(create_ringback_schema(url))

    with psycopg.connect(settings.conninfo) as conn:
        conn.execute(CREATE_PAYMENTS)
        conn.commit()

        result = capture(conn, "T1", 8888, schema=settings.schema)
        print(f"T1: captured, job {result.job.id} created={result.created}")

        try:
            capture(conn, "T2", 1500, schema=settings.schema, ledger_accepts=False)
        except LedgerRefused as refused:
            print(f"T2: {refused}; the payment and its job were rolled back together")

    asyncio.run(capture_async(settings.conninfo, "T3", 4200, settings.schema))


if __name__ == "__main__":
    main()
