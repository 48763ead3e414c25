"""Make aiohttp connect only to addresses the guard vetted.

aiohttp asks its resolver for addresses whenever it opens a new connection. Ours does
no DNS at all: it answers with the addresses pinned for the current attempt (a context
variable set around the request, which aiohttp's connect runs inside), so there is no
second lookup a rebinding DNS server could answer differently. The URL keeps the host
name, so the Host header and TLS SNI and certificate checks use the name as usual.

A connection attempted without a pin, or for another host than the pinned one, is
refused: nothing reaches the network unvetted.
"""

from __future__ import annotations

import contextvars
import socket

from aiohttp.abc import AbstractResolver, ResolveResult

from ringback.core.executors.http.addresses import normalise_host
from ringback.core.executors.http.guard import Pin

CURRENT_PIN: contextvars.ContextVar[Pin | None] = contextvars.ContextVar(
    "ringback_http_pin", default=None
)

_NUMERIC_FLAGS = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


class UnpinnedConnection(OSError):
    """aiohttp tried to resolve a host the current attempt did not vet."""


class PinnedResolver(AbstractResolver):
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        pin = CURRENT_PIN.get()
        if pin is None or normalise_host(host) != pin.host:
            raise UnpinnedConnection(f"refusing to connect to {host}: it was not vetted")
        results: list[ResolveResult] = []
        for address in pin.addresses:
            address_family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            if family not in (socket.AF_UNSPEC, address_family):
                continue
            results.append(
                {
                    "hostname": host,
                    "host": str(address),
                    "port": port,
                    "family": address_family,
                    "proto": socket.IPPROTO_TCP,
                    "flags": _NUMERIC_FLAGS,
                }
            )
        if not results:
            raise UnpinnedConnection(f"no vetted address of {host} fits the address family")
        return results

    async def close(self) -> None:
        """Nothing to release: this resolver holds no sockets or threads."""
