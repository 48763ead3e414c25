"""Connections go only to the pin's vetted addresses; the name is never looked up."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from wire_support import OK, answering, read_request
from yarl import URL

from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.wire import ConnectFailed, ConnectionPool, UnpinnedConnection

NAME = "merchant.invalid"  # never resolvable: reaching the server proves the pin was used


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _get(pool: ConnectionPool, pin: Pin, url: str):
    return await pool.request(
        pin, "GET", URL(url), {}, b"", connect_timeout_s=1.0, max_body_bytes=100
    )


async def test_a_name_is_dialled_at_its_pinned_address_with_the_name_as_host(raw_server, pool):
    heads: list[bytes] = []

    async def record(reader, writer) -> None:
        head, _ = await read_request(reader)
        heads.append(head)
        writer.write(OK)
        await writer.drain()

    server = await raw_server(record)
    pin = Pin(NAME, server.port, (ipaddress.ip_address("127.0.0.1"),))
    answer = await _get(pool, pin, f"http://{NAME.upper()}.:{server.port}/hook")
    assert answer.body == b"success"
    assert heads[0].startswith(b"GET /hook HTTP/1.1\r\n")
    # yarl lower-cases the name; the root dot stays as the URL spelt it.
    assert f"\r\nHost: {NAME}.:{server.port}\r\n".encode() in heads[0]


async def test_the_vetted_addresses_are_tried_in_order(raw_server, pool):
    # The server listens on 127.0.0.1 only, so 127.0.0.3 (loopback too) refuses.
    server = await raw_server(answering(OK))
    pin = Pin(
        NAME,
        server.port,
        (ipaddress.ip_address("127.0.0.3"), ipaddress.ip_address("127.0.0.1")),
    )
    answer = await _get(pool, pin, f"http://{NAME}:{server.port}/")
    assert answer.body == b"success"
    assert len(server.peers) == 1


async def test_when_every_address_refuses_the_last_refusal_is_the_error(pool):
    port = _closed_port()
    pin = Pin(NAME, port, (ipaddress.ip_address("127.0.0.1"),))
    with pytest.raises(ConnectFailed) as caught:
        await _get(pool, pin, f"http://{NAME}:{port}/")
    assert isinstance(caught.value.os_error, ConnectionRefusedError)


@pytest.mark.parametrize(
    "url", ["http://evil.invalid:8080/", "http://merchant.invalid:8081/", "http://[::1]:8080/"]
)
async def test_a_pin_for_another_host_or_port_does_not_apply(pool, url):
    pin = Pin(NAME, 8080, (ipaddress.ip_address("127.0.0.1"),))
    with pytest.raises(UnpinnedConnection):
        await _get(pool, pin, url)
    assert pool.open_connections == 0


async def test_an_ipv6_literal_matches_its_pin_however_it_is_spelt(pool):
    port = _closed_port()
    pin = Pin("::1", port, (ipaddress.ip_address("::1"),))
    # Reaches the connect step (and fails there: nothing listens), so the pin applied.
    with pytest.raises(ConnectFailed):
        await _get(pool, pin, f"http://[0:0::1]:{port}/")


async def test_an_empty_pin_dials_nothing(pool):
    with pytest.raises(ConnectFailed, match="no vetted address"):
        await _get(pool, Pin(NAME, 80, ()), f"http://{NAME}/")
