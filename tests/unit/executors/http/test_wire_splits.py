"""The answer parser against every way TCP can split an answer, and against garbage.

These drive ``WireConnection`` (the asyncio protocol) directly with the bytes of an
answer cut at random places: the loopback tests cannot choose where the kernel splits
a stream, and a parser bug at a boundary (a header name cut in two, a chunk size
split from its CRLF) shows only at some cut. A stand-in transport records what the
connection writes and whether it closed; no network is involved.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringback.core.executors.http.wire import Answer, WireError
from ringback.core.executors.http.wire.connection import WireConnection

STATUSES = st.sampled_from([200, 201, 204, 301, 404, 429, 500, 503])
BODIES = st.binary(max_size=400)
HEADER_VALUES = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40
)
EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class StandInTransport:
    """What ``WireConnection`` calls on its transport, recorded."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str, default: object = None) -> object:
        return default


def _answer_bytes(
    status: int, body: bytes, framing: str, chunk_sizes: list[int], extra: str
) -> bytes:
    no_body = status in (204, 304)
    head = [f"HTTP/1.{0 if framing == 'close' else 1} {status} Reason Text", f"X-Extra: {extra}"]
    if no_body:
        return ("\r\n".join(head) + "\r\n\r\n").encode()
    if framing == "length":
        head.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body
    if framing == "chunked":
        head.append("Transfer-Encoding: chunked")
        out = bytearray(("\r\n".join(head) + "\r\n\r\n").encode())
        rest, sizes = body, iter(chunk_sizes)
        while rest:
            size = max(1, min(next(sizes, len(rest)), len(rest)))
            out += f"{size:x}\r\n".encode() + rest[:size] + b"\r\n"
            rest = rest[size:]
        return bytes(out + b"0\r\n\r\n")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body  # ends at the close


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


async def _feed(
    pieces: list[bytes], *, max_body_bytes: int, close_at_end: bool
) -> tuple[asyncio.Future[Answer], WireConnection, StandInTransport]:
    connection = WireConnection(ipaddress.ip_address("127.0.0.1"))
    transport = StandInTransport()
    connection.connection_made(transport)  # type: ignore[arg-type]
    waiter = connection.exchange(
        b"GET / HTTP/1.1\r\n\r\n", answers_head=False, max_body_bytes=max_body_bytes
    )
    for piece in pieces:
        if transport.aborted:
            break  # a real transport stops delivering once aborted
        connection.data_received(piece)
    if close_at_end or transport.aborted:
        connection.connection_lost(None)
    return waiter, connection, transport


@EXAMPLES
@given(
    status=STATUSES,
    body=BODIES,
    framing=st.sampled_from(["length", "chunked", "close"]),
    chunk_sizes=st.lists(st.integers(min_value=1, max_value=64), max_size=20),
    extra=HEADER_VALUES,
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
)
async def test_an_answer_cut_anywhere_reads_the_same(
    status: int, body: bytes, framing: str, chunk_sizes: list[int], extra: str, cuts: list[int]
) -> None:
    data = _answer_bytes(status, body, framing, chunk_sizes, extra)
    waiter, connection, _ = await _feed(
        _cut(data, cuts), max_body_bytes=10_000, close_at_end=framing == "close"
    )
    answer = waiter.result()
    assert answer.status == status
    assert answer.reason == "Reason Text"
    assert answer.headers.get("x-extra") == extra
    assert answer.body == (b"" if status in (204, 304) else body)
    assert not answer.truncated
    # Reusable exactly when the answer said where it ends and HTTP/1.1 keeps it alive.
    assert connection.reusable is (framing != "close")


@EXAMPLES
@given(
    body=st.binary(min_size=2, max_size=400),
    framing=st.sampled_from(["length", "chunked", "close"]),
    cap_fraction=st.floats(min_value=0.0, max_value=0.99),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
)
async def test_a_body_past_the_cap_is_cut_there_and_the_connection_dropped(
    body: bytes, framing: str, cap_fraction: float, cuts: list[int]
) -> None:
    cap = int(len(body) * cap_fraction)
    data = _answer_bytes(200, body, framing, [7], "x")
    waiter, connection, transport = await _feed(
        _cut(data, cuts), max_body_bytes=cap, close_at_end=framing == "close"
    )
    answer = waiter.result()
    assert answer.body == body[:cap]
    assert answer.truncated
    assert transport.aborted and not connection.reusable


@EXAMPLES
@given(
    garbage=st.binary(min_size=1, max_size=300),
    cuts=st.lists(st.integers(min_value=0, max_value=1_000), max_size=8),
)
async def test_garbage_ends_in_a_wire_error_or_an_answer_never_a_crash(
    garbage: bytes, cuts: list[int]
) -> None:
    waiter, connection, _ = await _feed(_cut(garbage, cuts), max_body_bytes=1000, close_at_end=True)
    assert waiter.done()  # settled once the connection is gone: nobody waits for ever
    error = waiter.exception()
    assert error is None or isinstance(error, WireError)
    assert not connection.reusable
