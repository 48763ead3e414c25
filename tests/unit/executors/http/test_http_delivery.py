"""HttpExecutor against real receivers on loopback: what each kind of answer becomes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

from ringback.core.clock import FakeClock
from ringback.core.executors.base import ResultKind
from ringback.core.executors.http import HttpExecutor, HttpOptions
from ringback.core.executors.http.signing import verify
from ringback.core.jobs import JobKind


async def test_200_is_success_and_keeps_the_answer(receiver, answer, executor, deliver):
    hook = await receiver(answer('{"ok":true}'))
    result = await deliver(executor, {"url": hook.url(), "json": {"order": "A1"}})
    assert result.kind is ResultKind.SUCCESS
    assert result.status_code == 200
    assert result.response_excerpt == '{"ok":true}'
    assert result.error is None
    assert executor.kind is JobKind.HTTP


async def test_the_request_carries_body_type_agent_and_signature(
    receiver, answer, executor, deliver, secret
):
    hook = await receiver(answer("ok"))
    await deliver(
        executor,
        {"url": hook.url(), "json": {"amount": 1250, "note": "订单"}, "headers": {"X-Shop": "7"}},
        job_id=42,
    )
    [seen] = hook.seen
    assert seen.method == "POST"
    assert json.loads(seen.body) == {"amount": 1250, "note": "订单"}
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["User-Agent"] == "ringback/0.1"
    assert seen.headers["X-Shop"] == "7"
    assert seen.headers["Host"] == f"127.0.0.1:{hook.port}"
    assert seen.headers["webhook-id"] == "job_42"
    timestamp = int(seen.headers["webhook-timestamp"])
    assert abs(timestamp - datetime.now(UTC).timestamp()) < 60
    assert verify(secret, "job_42", timestamp, seen.body, seen.headers["webhook-signature"])


async def test_the_webhook_id_is_the_key_and_stays_the_same_on_retry(
    receiver, answer, executor, deliver
):
    hook = await receiver(answer("no", status=500))
    for _ in range(2):
        await deliver(executor, {"url": hook.url()}, job_id=9, key="notify:order-77")
    assert [seen.headers["webhook-id"] for seen in hook.seen] == ["notify:order-77"] * 2


async def test_a_text_body_keeps_the_jobs_content_type(receiver, answer, executor, deliver):
    hook = await receiver(answer("success"))
    form = "out_trade_no=A1&trade_status=TRADE_SUCCESS"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    result = await deliver(
        executor, {"url": hook.url(), "method": "put", "body": form, "headers": headers}
    )
    assert result.kind is ResultKind.SUCCESS
    [seen] = hook.seen
    assert (seen.method, seen.body) == ("PUT", form.encode())
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_get_sends_no_body(receiver, answer, executor, deliver):
    hook = await receiver(answer("ok"))
    result = await deliver(executor, {"url": hook.url("/hook?ready=1"), "method": "GET"})
    assert result.kind is ResultKind.SUCCESS
    [seen] = hook.seen
    assert (seen.method, seen.path, seen.body) == ("GET", "/hook?ready=1", b"")


async def test_500_is_retried(receiver, answer, executor, deliver):
    hook = await receiver(answer("database down", status=500))
    result = await deliver(executor, {"url": hook.url()})
    assert result.kind is ResultKind.RETRY
    assert result.status_code == 500
    assert result.error == "HTTP 500"
    assert result.response_excerpt == "database down"


async def test_a_404_is_retried_but_410_gone_fails_for_good(receiver, answer, executor, deliver):
    missing = await receiver(answer("not yet", status=404))
    gone = await receiver(answer("stop", status=410))
    assert (await deliver(executor, {"url": missing.url()})).kind is ResultKind.RETRY
    result = await deliver(executor, {"url": gone.url()})
    assert result.kind is ResultKind.FAIL
    assert result.status_code == 410
    assert result.error is not None and "410 Gone" in result.error


async def test_body_must_equal_success_after_stripping_whitespace(
    receiver, answer, executor, deliver
):
    rule = {"body_equals": "success"}
    good = await receiver(answer("\ufeff  success\r\n"))
    bad = await receiver(answer("fail"))
    assert (await deliver(executor, {"url": good.url(), "success": rule})).kind is (
        ResultKind.SUCCESS
    )
    result = await deliver(executor, {"url": bad.url(), "success": rule})
    assert result.kind is ResultKind.RETRY
    assert result.error == "body was 'fail', expected 'success'"


async def test_an_explicit_status_list(receiver, answer, executor, deliver):
    accepted = await receiver(answer("", status=202))
    rule = {"status": [200, 204]}
    result = await deliver(executor, {"url": accepted.url(), "success": rule})
    assert result.kind is ResultKind.RETRY
    assert result.error == "HTTP 202, expected 200 or 204"


async def test_a_slow_receiver_times_out(receiver, executor, deliver):
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.wait_for(hook.release.wait(), timeout=5)
        return web.Response(text="too late")

    hook = await receiver(slow)
    result = await deliver(executor, {"url": hook.url(), "timeout": "200ms"})
    assert result.kind is ResultKind.RETRY
    assert result.error == "timeout after 200ms"
    assert result.status_code is None


async def test_a_redirect_is_not_followed(receiver, answer, executor, deliver):
    hook = await receiver(answer("", status=302, Location="/moved?token=s3cret"))
    result = await deliver(executor, {"url": hook.url()})
    assert result.kind is ResultKind.RETRY
    assert result.status_code == 302
    assert result.error == f"HTTP 302 redirect to {hook.url('/moved')} not followed"
    assert [seen.path for seen in hook.seen] == ["/hook"]


async def test_an_oversized_answer_is_cut_at_the_cap(receiver, secret, deliver):
    async def flood(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"x" * 16_384)  # 1 MiB in all, if anyone read it
        return response

    hook = await receiver(flood)
    executor = HttpExecutor(
        HttpOptions(signing_secret=secret, allow_private=True, max_response_bytes=1000)
    )
    try:
        payload = {"url": hook.url(), "success": {"body_equals": "success"}}
        result = await deliver(executor, payload)
    finally:
        await executor.close()
    assert result.kind is ResultKind.RETRY
    assert result.response_excerpt == "x" * 1000
    assert result.error is not None and "only the first 1000 bytes were read" in result.error


async def test_a_chunked_answer_is_read_whole(receiver, executor, deliver):
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for part in (b"suc", b"ce", b"ss\n"):
            await response.write(part)
        return response

    hook = await receiver(trickle)
    result = await deliver(executor, {"url": hook.url(), "success": {"body_equals": "success"}})
    assert result.kind is ResultKind.SUCCESS
    assert result.response_excerpt == "success\n"


async def test_the_excerpt_is_2048_bytes_with_bad_utf8_replaced(receiver, executor, deliver):
    async def binary(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"\xff" + b"a" * 5000)

    hook = await receiver(binary)
    result = await deliver(executor, {"url": hook.url()})
    assert result.response_excerpt == "\ufffd" + "a" * 2047


async def test_retry_after_in_seconds_on_503(receiver, answer, executor, deliver):
    hook = await receiver(answer("busy", status=503, **{"Retry-After": "120"}))
    result = await deliver(executor, {"url": hook.url()})
    assert result.kind is ResultKind.RETRY
    assert result.retry_after == timedelta(seconds=120)


async def test_retry_after_as_a_date_on_429(receiver, options, deliver):
    clock = FakeClock(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    later = format_datetime(clock.now() + timedelta(minutes=15), usegmt=True)
    hook = await receiver(_answer_with(429, {"Retry-After": later}))
    executor = HttpExecutor(options, clock=clock)
    try:
        result = await deliver(executor, {"url": hook.url()})
    finally:
        await executor.close()
    assert result.retry_after == timedelta(minutes=15)


async def test_retry_after_garbage_or_on_other_statuses_is_ignored(
    receiver, answer, executor, deliver
):
    garbage = await receiver(answer("", status=429, **{"Retry-After": "soon-ish"}))
    on_500 = await receiver(answer("", status=500, **{"Retry-After": "60"}))
    assert (await deliver(executor, {"url": garbage.url()})).retry_after is None
    assert (await deliver(executor, {"url": on_500.url()})).retry_after is None


async def test_a_closed_port_is_connection_refused(executor, deliver):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await deliver(executor, {"url": f"http://127.0.0.1:{port}/hook"})
    assert result.kind is ResultKind.RETRY
    assert result.error == f"connection refused (127.0.0.1:{port})"


async def test_a_payload_that_no_longer_passes_fails_without_a_request(
    receiver, answer, options, make_job
):
    hook = await receiver(answer("ok"))
    strict = HttpExecutor(HttpOptions(signing_secret=options.signing_secret))
    result = await strict.execute(make_job({"url": hook.url()}))
    assert result.kind is ResultKind.FAIL
    assert result.error is not None and result.error.startswith("payload.url: 127.0.0.1")
    assert hook.seen == []


async def test_the_session_is_reused_and_close_releases_it(receiver, answer, options, deliver):
    hook = await receiver(answer("ok"))
    executor = HttpExecutor(options)
    for _ in range(3):
        await deliver(executor, {"url": hook.url()})
    await executor.close()
    await executor.close()  # closing twice is harmless
    result = await deliver(executor, {"url": hook.url()})  # a new session after close
    await executor.close()
    assert result.kind is ResultKind.SUCCESS
    peers = [seen.peer for seen in hook.seen]
    assert peers[0] == peers[1] == peers[2]  # one kept-alive connection
    assert peers[3] != peers[0]


def _answer_with(
    status: int, headers: dict[str, str]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers=headers)

    return handle


async def test_a_receiver_hanging_up_without_an_answer_is_retried(executor, deliver):
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        result = await deliver(executor, {"url": f"http://127.0.0.1:{port}/hook"})
    finally:
        server.close()
        await server.wait_closed()
    assert result.kind is ResultKind.RETRY
    assert result.error == f"127.0.0.1:{port} closed the connection without answering"


@contextlib.asynccontextmanager
async def _raw_receiver(answer: bytes) -> AsyncIterator[int]:
    """A receiver on the yielded port sending exactly ``answer`` bytes after the
    request's head, then closing."""

    async def respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(respond, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_an_answer_that_is_not_http_is_retried_with_the_reason(executor, deliver):
    async with _raw_receiver(b"SSH-2.0-OpenSSH_9.6\r\n") as port:
        result = await deliver(executor, {"url": f"http://127.0.0.1:{port}/hook"})
    assert result.kind is ResultKind.RETRY
    assert result.error is not None
    assert result.error.startswith(f"invalid HTTP answer from 127.0.0.1:{port}: ")
    assert result.status_code is None


async def test_a_body_cut_short_is_retried(executor, deliver):
    async with _raw_receiver(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsucc") as port:
        result = await deliver(executor, {"url": f"http://127.0.0.1:{port}/hook"})
    assert result.kind is ResultKind.RETRY
    assert result.error is not None and result.error.startswith("the answer's body was cut off")


async def test_an_http_1_0_answer_ended_by_the_close_is_judged(executor, deliver):
    async with _raw_receiver(b"HTTP/1.0 200 OK\r\n\r\nsuccess\r\n") as port:
        payload = {"url": f"http://127.0.0.1:{port}/hook", "success": {"body_equals": "success"}}
        result = await deliver(executor, payload)
    assert result.kind is ResultKind.SUCCESS, result.error
    assert result.response_excerpt == "success\r\n"
