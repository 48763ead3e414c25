"""The aiohttp resolver that only hands out vetted, pinned addresses."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from ringback.core.executors.http.guard import Pin
from ringback.core.executors.http.pinning import CURRENT_PIN, PinnedResolver, UnpinnedConnection

PIN = Pin(
    "shop.example",
    443,
    (ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("2606:2800:220:1::1")),
)


async def test_without_a_pin_nothing_resolves():
    with pytest.raises(UnpinnedConnection):
        await PinnedResolver().resolve("shop.example", 443, socket.AF_UNSPEC)


async def test_a_pin_for_another_host_does_not_apply():
    token = CURRENT_PIN.set(PIN)
    try:
        with pytest.raises(UnpinnedConnection):
            await PinnedResolver().resolve("evil.example", 443, socket.AF_UNSPEC)
    finally:
        CURRENT_PIN.reset(token)


async def test_the_pinned_addresses_are_the_answer():
    token = CURRENT_PIN.set(PIN)
    try:
        both = await PinnedResolver().resolve("Shop.Example.", 443, socket.AF_UNSPEC)
        only_v4 = await PinnedResolver().resolve("shop.example", 443, socket.AF_INET)
    finally:
        CURRENT_PIN.reset(token)
    assert [(r["host"], r["family"], r["port"]) for r in both] == [
        ("93.184.216.34", socket.AF_INET, 443),
        ("2606:2800:220:1::1", socket.AF_INET6, 443),
    ]
    assert [r["host"] for r in only_v4] == ["93.184.216.34"]


async def test_no_address_of_the_family_is_an_error():
    v4_only = Pin("shop.example", 80, (ipaddress.ip_address("93.184.216.34"),))
    token = CURRENT_PIN.set(v4_only)
    try:
        with pytest.raises(UnpinnedConnection):
            await PinnedResolver().resolve("shop.example", 80, socket.AF_INET6)
    finally:
        CURRENT_PIN.reset(token)
