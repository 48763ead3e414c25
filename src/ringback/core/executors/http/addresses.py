"""Which IP addresses a callback may reach: pure decisions, no I/O.

A callback URL comes from a client, so without a check anyone who can submit a job
could make ringback call its own admin ports, the database, or the cloud metadata
service (server-side request forgery). Anything that is not a public unicast address
is refused unless the operator allows it (``allow_private`` or ``allowed_hosts``).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance metadata endpoints hand out cloud credentials; name them in the refusal so
# an operator reading the attempt log sees at once what was attempted.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    {
        ipaddress.IPv4Address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
        ipaddress.IPv6Address("fd00:ec2::254"),  # AWS over IPv6
        ipaddress.IPv4Address("100.100.100.200"),  # Alibaba Cloud
    }
)

_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


@functools.lru_cache(maxsize=4096)  # every attempt asks again; ipaddress parsing is slow
def parse_ip(text: str) -> IPAddress | None:
    """The address written in ``text``, or None when it is a host name."""
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64, Teredo), if any.

    ``::ffff:127.0.0.1`` reaches 127.0.0.1 on a dual-stack host, so each of these forms
    is judged by the IPv4 address inside it.
    """
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not a public destination, or None when it is one."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            reason = refusal_reason(inner)
            return None if reason is None else f"{reason} (embedded in {address})"
        if address.scope_id is not None:
            return "a scoped link-local address"
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    # Shared (carrier-grade NAT) space, documentation and benchmark ranges and the like
    # are neither "private" nor reachable on the internet; refuse them too.
    if not address.is_global:
        return "an address that is not globally routable"
    return None


def normalise_host(host: str) -> str:
    """Host names compare case-insensitively and without the root dot."""
    return host.strip("[]").rstrip(".").lower()


@dataclass(frozen=True, slots=True)
class AllowList:
    """Host names and networks the operator lets callbacks reach despite the guard."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """Each entry is a host name, an address, or a CIDR. Raises ValueError."""
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            text = entry.strip()
            if not text:
                raise ValueError("an allowed host entry is empty")
            try:
                networks.append(ipaddress.ip_network(text.strip("[]"), strict=False))
            except ValueError:
                if "/" in text or any(c.isspace() for c in text):
                    raise ValueError(f"{entry!r} is neither a host name nor a CIDR") from None
                names.add(normalise_host(text))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return normalise_host(host) in self.names

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """``allow_private`` plus the allow-list: the whole decision for one target."""

    allow_private: bool
    allowed: AllowList

    def refusal(self, host: str, addresses: Iterable[IPAddress]) -> str | None:
        """Why ``host`` (resolved to ``addresses``) is refused, or None when allowed.

        One bad address refuses the whole host: a name that resolves to both a public
        and a private address could otherwise be steered to the private one.
        """
        if self.allow_private or self.allowed.allows_name(host):
            return None
        for address in addresses:
            if self.allowed.allows_address(address):
                continue
            reason = refusal_reason(address)
            if reason is None:
                continue
            if parse_ip(host) == address:
                return f"{address} is {reason}"
            return f"{host} resolves to {address}, {reason}"
        return None
