"""Opening a connection: only to a pin's vetted addresses, TLS checked against the name.

The socket goes to an IP literal the guard vetted, so no second DNS lookup happens
that a rebinding DNS server could answer differently. TLS still uses the host name:
it is the SNI server name and the name the certificate must carry.
"""

from __future__ import annotations

import asyncio
import functools
import ssl

from ringback.core.executors.http.addresses import IPAddress
from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.wire.connection import WireConnection
from ringback.core.executors.http.wire.errors import (
    CertificateRejected,
    ConnectFailed,
    ConnectTimeout,
    TlsFailed,
    WireError,
)


@functools.cache
def default_tls_context() -> ssl.SSLContext:
    """The system's trust anchors with verification on; made once (loading them is slow)."""
    return ssl.create_default_context()


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}s"


async def _dial(
    address: IPAddress, port: int, tls: ssl.SSLContext | None, server_name: str
) -> WireConnection:
    loop = asyncio.get_running_loop()
    try:
        _transport, connection = await loop.create_connection(
            lambda: WireConnection(address),
            host=str(address),
            port=port,
            ssl=tls,
            server_hostname=server_name if tls is not None else None,
        )
    except ssl.SSLCertVerificationError as exc:
        # verify_message is OpenSSL's plain reason ("Hostname mismatch, …").
        raise CertificateRejected(exc.verify_message or str(exc)) from None
    except ssl.SSLError as exc:
        raise TlsFailed(exc.reason or str(exc)) from None
    except OSError as exc:
        raise ConnectFailed(exc) from None
    return connection


async def open_connection(
    pin: Pin, port: int, *, tls: ssl.SSLContext | None, connect_timeout_s: float
) -> WireConnection:
    """A connection to the first of ``pin.addresses`` that accepts one, trying them in
    order within ``connect_timeout_s`` in all. TLS when ``tls`` is given.

    Raises ConnectTimeout, or the last address's ConnectFailed / TlsFailed.
    """
    last_error: WireError = ConnectFailed(OSError("no vetted address to connect to"))
    try:
        async with asyncio.timeout(connect_timeout_s) as deadline:
            for address in pin.addresses:
                try:
                    return await _dial(address, port, tls, pin.host)
                except WireError as exc:
                    last_error = exc
    except TimeoutError:
        if not deadline.expired():
            raise  # not ours: the attempt's total timeout, handled by the caller
        raise ConnectTimeout(f"no connection within {_format_seconds(connect_timeout_s)}") from None
    raise last_error
