"""The private-address guard: resolve a callback's host once, vet every address, pin them.

The vetted addresses are what the connection uses (see ``wire.connect``): checking one DNS
answer and then letting the HTTP client resolve again would let a hostile name answer
"public" to the check and "127.0.0.1" to the connect (DNS rebinding).

Lookups are cached for a short TTL per (host, port), and concurrent lookups of one host
share a single query, so a burst of deliveries to one merchant costs one DNS query, not
thousands. Refusals are cached too; DNS failures are not (they are retried).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from ringback.core.executors.http.addresses import (
    AddressPolicy,
    IPAddress,
    normalise_host,
    parse_ip,
)

_SWEEP_ABOVE_ENTRIES = 4096  # drop expired cache entries once the cache grows this big


class Resolver(Protocol):
    """Turns a host name into IP address strings (the DNS step, injectable for tests)."""

    async def resolve(self, host: str, port: int) -> Sequence[str]: ...


class SystemResolver:
    """The operating system's resolver, through the event loop's ``getaddrinfo``."""

    async def resolve(self, host: str, port: int) -> Sequence[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        seen: dict[str, None] = {}
        for _family, _type, _proto, _canonical, sockaddr in infos:
            seen.setdefault(str(sockaddr[0]), None)
        return list(seen)


class DnsLookupFailed(Exception):
    """The host did not resolve (worth retrying: DNS outages pass)."""


@dataclass(frozen=True, slots=True)
class Pin:
    """A host and the vetted addresses a connection to it may use."""

    host: str
    port: int
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True, slots=True)
class Refused:
    """The guard's "no": the target is not a public address and is not allowed."""

    reason: str


Vetting = Pin | Refused


@dataclass(frozen=True, slots=True)
class _Cached:
    vetting: Vetting
    expires_at_s: float


class AddressGuard:
    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver,
        *,
        cache_ttl: timedelta,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._ttl_s = cache_ttl.total_seconds()
        self._monotonic = monotonic
        self._cache: dict[tuple[str, int], _Cached] = {}
        # Verdicts on IP literals, by the host exactly as given (bounded in size).
        self._literals: dict[tuple[str, int], Vetting] = {}
        self._inflight: dict[tuple[str, int], asyncio.Future[Vetting]] = {}

    async def vet(self, host: str, port: int) -> Vetting:
        """Pin or refuse ``host``. Raises DnsLookupFailed when it does not resolve."""
        as_given = (host, port)
        literal_verdict = self._literals.get(as_given)
        if literal_verdict is not None:
            return literal_verdict
        host = normalise_host(host)
        literal = parse_ip(host)
        if literal is not None:
            # An address written in the URL needs no DNS and its verdict cannot change
            # (the policy is fixed for the guard's life): judge it once.
            verdict = self._judge(host, port, [literal])
            if len(self._literals) < _SWEEP_ABOVE_ENTRIES:
                self._literals[as_given] = verdict
            return verdict
        key = (host, port)
        cached = self._cache.get(key)
        if cached is not None and cached.expires_at_s > self._monotonic():
            return cached.vetting
        pending = self._inflight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._lookup(host, port))
            self._inflight[key] = pending
            pending.add_done_callback(lambda done: self._settle(key, done))
        # Shielded: one caller timing out must not cancel the lookup the others wait on.
        return await asyncio.shield(pending)

    def forget(self) -> None:
        """Drop every cached lookup (e.g. after the operator changed DNS)."""
        self._cache.clear()

    def _judge(self, host: str, port: int, addresses: Sequence[IPAddress]) -> Vetting:
        reason = self._policy.refusal(host, addresses)
        if reason is not None:
            return Refused(reason)
        return Pin(host, port, tuple(addresses))

    async def _lookup(self, host: str, port: int) -> Vetting:
        try:
            answers = await self._resolver.resolve(host, port)
        except (OSError, UnicodeError) as exc:  # UnicodeError: a label IDNA cannot encode
            raise DnsLookupFailed(f"DNS lookup for {host} failed: {exc}") from None
        addresses = [address for text in answers if (address := parse_ip(text)) is not None]
        if not addresses:
            raise DnsLookupFailed(f"DNS lookup for {host} returned no usable address")
        return self._judge(host, port, addresses)

    def _settle(self, key: tuple[str, int], done: asyncio.Future[Vetting]) -> None:
        self._inflight.pop(key, None)
        if done.cancelled() or done.exception() is not None:
            return  # reading the exception also keeps asyncio from logging it as lost
        now_s = self._monotonic()
        if len(self._cache) >= _SWEEP_ABOVE_ENTRIES:
            self._cache = {k: v for k, v in self._cache.items() if v.expires_at_s > now_s}
        if self._ttl_s > 0:
            self._cache[key] = _Cached(done.result(), now_s + self._ttl_s)
