"""Which addresses count as private, and how the allow-list lifts the guard."""

from __future__ import annotations

import ipaddress

import pytest

from ringback.core.executors.http.addresses import (
    AddressPolicy,
    AllowList,
    embedded_ipv4,
    refusal_reason,
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.0.9", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("100.64.0.1", "an address that is not globally routable"),
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("192.0.2.10", "a private address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fc00::5", "a private address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address (embedded in ::ffff:7f00:1)"),
        ("::ffff:169.254.169.254", "a cloud metadata address (embedded in ::ffff:a9fe:a9fe)"),
        ("2002:0a00:0001::", "a private address (embedded in 2002:a00:1::)"),
        ("64:ff9b::a00:1", "a private address (embedded in 64:ff9b::a00:1)"),
    ],
)
def test_non_public_addresses_are_refused_with_a_reason(text, reason):
    assert refusal_reason(ipaddress.ip_address(text)) == reason


@pytest.mark.parametrize(
    "text", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_pass(text):
    assert refusal_reason(ipaddress.ip_address(text)) is None


def test_embedded_ipv4_reads_each_form():
    assert embedded_ipv4(ipaddress.IPv6Address("::ffff:1.2.3.4")) == ipaddress.IPv4Address(
        "1.2.3.4"
    )
    assert embedded_ipv4(ipaddress.IPv6Address("2002:102:304::1")) == ipaddress.IPv4Address(
        "1.2.3.4"
    )
    assert embedded_ipv4(ipaddress.IPv6Address("2606:4700::1111")) is None


def test_allow_list_parses_names_addresses_and_networks():
    allowed = AllowList.parse(["Hooks.Example.COM.", "10.0.0.0/8", "127.0.0.1", "[::1]"])
    assert allowed.names == frozenset({"hooks.example.com"})
    assert allowed.allows_name("HOOKS.example.com")
    assert allowed.allows_address(ipaddress.ip_address("10.200.0.1"))
    assert allowed.allows_address(ipaddress.ip_address("::1"))
    assert not allowed.allows_address(ipaddress.ip_address("127.0.0.2"))


@pytest.mark.parametrize("entry", ["", "  ", "10.0.0.0/33", "bad name", "host/path"])
def test_allow_list_rejects_nonsense(entry):
    with pytest.raises(ValueError):
        AllowList.parse([entry])


def test_one_private_address_refuses_the_whole_host():
    policy = AddressPolicy(allow_private=False, allowed=AllowList())
    mixed = [ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("10.0.0.1")]
    assert policy.refusal("mixed.example", mixed) == (
        "mixed.example resolves to 10.0.0.1, a private address"
    )
    assert policy.refusal("public.example", mixed[:1]) is None


def test_allow_private_lifts_every_refusal():
    policy = AddressPolicy(allow_private=True, allowed=AllowList())
    assert policy.refusal("x", [ipaddress.ip_address("169.254.169.254")]) is None


def test_an_allowed_network_covers_only_its_addresses():
    policy = AddressPolicy(allow_private=False, allowed=AllowList.parse(["10.1.0.0/16"]))
    assert policy.refusal("a", [ipaddress.ip_address("10.1.2.3")]) is None
    assert policy.refusal("a", [ipaddress.ip_address("10.2.2.3")]) is not None
