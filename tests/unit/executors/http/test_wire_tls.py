"""TLS to a pinned address: the name drives SNI and the certificate check."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from tests.http_support import make_certificates
from wire_support import OK, read_request
from yarl import URL

from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.wire import (
    CertificateRejected,
    ConnectionPool,
    ConnectTimeout,
    TlsFailed,
)

NAME = "merchant.invalid"

ServeTls = Callable[[ssl.SSLContext], Awaitable[int]]


@pytest.fixture
async def serve_tls() -> AsyncIterator[ServeTls]:
    """``port = await serve_tls(server_context)``: answers OK to each request over TLS."""
    servers: list[asyncio.Server] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await read_request(reader)
                writer.write(OK)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def start(context: ssl.SSLContext) -> int:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def _get(pool: ConnectionPool, port: int, *, connect_timeout_s: float = 2.0):
    pin = Pin(NAME, port, (ipaddress.ip_address("127.0.0.1"),))
    return await pool.request(
        pin,
        "GET",
        URL(f"https://{NAME}:{port}/hook"),
        {},
        b"",
        connect_timeout_s=connect_timeout_s,
        max_body_bytes=100,
    )


async def test_a_certificate_from_the_trusted_ca_for_the_name_is_accepted(serve_tls, tmp_path):
    server_tls, client_tls = make_certificates(tmp_path, NAME)
    names: list[str | None] = []
    server_tls.sni_callback = lambda _sock, name, _ctx: names.append(name)
    port = await serve_tls(server_tls)
    pool = ConnectionPool(limit=2, tls_context=client_tls)
    try:
        answers = [await _get(pool, port) for _ in range(2)]
    finally:
        await pool.close()
    assert [a.body for a in answers] == [b"success"] * 2
    assert names == [NAME]  # the name went out as SNI, and the connection was kept


async def test_a_certificate_for_another_name_is_rejected(serve_tls, tmp_path):
    server_tls, client_tls = make_certificates(tmp_path, "someone-else.invalid")
    port = await serve_tls(server_tls)
    pool = ConnectionPool(limit=2, tls_context=client_tls)
    try:
        with pytest.raises(CertificateRejected) as caught:
            await _get(pool, port)
    finally:
        await pool.close()
    assert "Hostname mismatch" in caught.value.detail
    assert pool.open_connections == 0


async def test_an_untrusted_ca_is_rejected_by_the_default_context(serve_tls, tmp_path: Path):
    server_tls, _client_tls = make_certificates(tmp_path, NAME)
    port = await serve_tls(server_tls)
    pool = ConnectionPool(limit=2)  # the system's CAs: they never signed this one
    try:
        with pytest.raises(CertificateRejected, match="certificate"):
            await _get(pool, port)
    finally:
        await pool.close()


async def test_a_server_speaking_no_tls_fails_the_handshake(raw_server, tmp_path):
    _server_tls, client_tls = make_certificates(tmp_path, NAME)

    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    server = await raw_server(plain)
    pool = ConnectionPool(limit=2, tls_context=client_tls)
    try:
        with pytest.raises(TlsFailed):
            await _get(pool, server.port)
    finally:
        await pool.close()


async def test_a_handshake_that_never_ends_is_a_connect_timeout(raw_server, tmp_path):
    _server_tls, client_tls = make_certificates(tmp_path, NAME)

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # takes the ClientHello, never answers it

    server = await raw_server(silent)
    pool = ConnectionPool(limit=2, tls_context=client_tls)
    try:
        with pytest.raises(ConnectTimeout, match=r"within 0\.1s"):
            await _get(pool, server.port, connect_timeout_s=0.1)
        assert pool.open_connections == 0
    finally:
        await pool.close()
