"""The private-address guard, DNS pinning and the vetting cache, with a table for DNS."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest

from ringback.core.executors.base import ResultKind
from ringback.core.executors.http import HttpExecutor, HttpOptions, Resolver
from ringback.core.executors.http.addresses import AddressPolicy, AllowList
from ringback.core.executors.http.guard import AddressGuard, DnsLookupFailed, Pin, Refused

NAME = "merchant.invalid"  # .invalid never resolves for real: success proves the pin


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


@pytest.mark.parametrize(
    ("addresses", "reason"),
    [
        (["127.0.0.1"], "127.0.0.1, a loopback address"),
        (["10.1.2.3"], "10.1.2.3, a private address"),
        (["169.254.169.254"], "169.254.169.254, a cloud metadata address"),
        (["::1"], "::1, a loopback address"),
        (["::ffff:127.0.0.1"], "a loopback address (embedded in ::ffff:7f00:1)"),
        (["fd00:ec2::254"], "fd00:ec2::254, a cloud metadata address"),
        (["93.184.216.34", "192.168.0.9"], "192.168.0.9, a private address"),
    ],
)
async def test_a_name_resolving_to_a_private_address_is_refused(
    addresses, reason, receiver, answer, secret, fake_dns, deliver
):
    hook = await receiver(answer("ok"))
    dns = fake_dns({NAME: addresses})
    executor = HttpExecutor(HttpOptions(signing_secret=secret), resolver=dns)
    try:
        result = await deliver(executor, {"url": hook.url(host=NAME)})
    finally:
        await executor.close()
    assert result.kind is ResultKind.FAIL
    assert result.error is not None
    assert result.error.startswith(f"refused: {NAME} resolves to ")
    assert result.error.endswith(reason)
    assert hook.seen == []


async def test_the_connection_goes_to_the_pinned_address_with_one_lookup_per_attempt(
    receiver, answer, secret, fake_dns, deliver
):
    hook = await receiver(answer("ok"))
    dns = fake_dns({NAME: ["127.0.0.1"]})
    options = HttpOptions(
        signing_secret=secret, allowed_hosts=frozenset({"127.0.0.0/8"}), dns_cache_ttl=timedelta(0)
    )
    executor = HttpExecutor(options, resolver=dns)
    try:
        results = [await deliver(executor, {"url": hook.url(host=NAME)}) for _ in range(3)]
    finally:
        await executor.close()
    assert [r.kind for r in results] == [ResultKind.SUCCESS] * 3
    assert dns.calls == [(NAME, hook.port)] * 3
    assert {seen.headers["Host"] for seen in hook.seen} == {f"{NAME}:{hook.port}"}


async def test_a_rebinding_name_is_vetted_again_on_each_attempt(
    receiver, answer, secret, fake_dns, deliver
):
    hook = await receiver(answer("ok"))
    dns = fake_dns({NAME: ["127.0.0.1"]})
    options = HttpOptions(
        signing_secret=secret, allowed_hosts=frozenset({"127.0.0.1"}), dns_cache_ttl=timedelta(0)
    )
    executor = HttpExecutor(options, resolver=dns)
    try:
        first = await deliver(executor, {"url": hook.url(host=NAME)})
        dns.answers[NAME] = ["10.0.0.7"]  # the name now points inside the network
        second = await deliver(executor, {"url": hook.url(host=NAME)})
    finally:
        await executor.close()
    assert first.kind is ResultKind.SUCCESS
    assert second.kind is ResultKind.FAIL
    assert second.error == f"refused: {NAME} resolves to 10.0.0.7, a private address"
    assert len(hook.seen) == 1


async def test_an_allowed_host_name_may_be_private(receiver, answer, secret, fake_dns, deliver):
    hook = await receiver(answer("ok"))
    options = HttpOptions(signing_secret=secret, allowed_hosts=frozenset({NAME.upper()}))
    executor = HttpExecutor(options, resolver=fake_dns({NAME: ["127.0.0.1"]}))
    try:
        result = await deliver(executor, {"url": hook.url(host=NAME)})
    finally:
        await executor.close()
    assert result.kind is ResultKind.SUCCESS


async def test_an_unknown_name_is_retried(secret, fake_dns, deliver):
    executor = HttpExecutor(HttpOptions(signing_secret=secret), resolver=fake_dns({}))
    result = await deliver(executor, {"url": "https://nowhere.invalid/hook"})
    assert result.kind is ResultKind.RETRY
    assert result.error == (
        "DNS lookup for nowhere.invalid failed: [Errno -2] Name or service not known"
    )


def _guard(
    dns: Resolver, ticker: Ticker, *, allow: Sequence[str] = (), ttl_s: float = 10
) -> AddressGuard:
    policy = AddressPolicy(allow_private=False, allowed=AllowList.parse(allow))
    return AddressGuard(policy, dns, cache_ttl=timedelta(seconds=ttl_s), monotonic=ticker)


async def test_lookups_are_cached_for_the_ttl(fake_dns):
    dns, ticker = fake_dns({"shop.example": ["93.184.216.34"]}), Ticker()
    guard = _guard(dns, ticker)
    for _ in range(5):
        vetting = await guard.vet("shop.example", 443)
    assert isinstance(vetting, Pin)
    assert [str(a) for a in vetting.addresses] == ["93.184.216.34"]
    assert len(dns.calls) == 1
    ticker.now_s += 9.9
    await guard.vet("SHOP.example.", 443)  # same host, other spelling
    assert len(dns.calls) == 1
    ticker.now_s += 0.2
    await guard.vet("shop.example", 443)
    assert len(dns.calls) == 2
    await guard.vet("shop.example", 8443)  # another port is another target
    assert len(dns.calls) == 3


async def test_refusals_are_cached_but_dns_failures_are_not(fake_dns):
    dns, ticker = fake_dns({"intranet.example": ["10.0.0.1"]}), Ticker()
    guard = _guard(dns, ticker)
    for _ in range(3):
        assert isinstance(await guard.vet("intranet.example", 80), Refused)
    for _ in range(3):
        with pytest.raises(DnsLookupFailed):
            await guard.vet("missing.example", 80)
    assert dns.calls == [("intranet.example", 80)] + [("missing.example", 80)] * 3


async def test_concurrent_lookups_of_one_host_share_a_query(fake_dns):
    gate = asyncio.Event()

    class SlowDns:
        calls = 0

        async def resolve(self, host: str, port: int) -> Sequence[str]:
            SlowDns.calls += 1
            await gate.wait()
            return ["93.184.216.34"]

    guard = _guard(SlowDns(), Ticker())
    waiting = [asyncio.ensure_future(guard.vet("shop.example", 443)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*waiting)
    assert SlowDns.calls == 1
    assert all(isinstance(r, Pin) for r in results)


async def test_literal_addresses_need_no_lookup(fake_dns):
    dns = fake_dns({})
    guard = _guard(dns, Ticker(), allow=["10.9.0.0/16"])
    assert isinstance(await guard.vet("10.9.1.1", 80), Pin)
    assert await guard.vet("10.8.1.1", 80) == Refused("10.8.1.1 is a private address")
    assert await guard.vet("[::1]", 80) == Refused("::1 is a loopback address")
    assert dns.calls == []


async def test_a_literal_is_judged_the_same_every_time_and_per_port(fake_dns):
    guard = _guard(fake_dns({}), Ticker(), allow=["10.9.0.0/16"])
    first = await guard.vet("10.9.1.1", 80)
    assert await guard.vet("10.9.1.1", 80) == first == Pin("10.9.1.1", 80, first.addresses)
    other_port = await guard.vet("10.9.1.1", 8080)
    assert isinstance(other_port, Pin) and other_port.port == 8080
    for _ in range(2):
        assert await guard.vet("10.8.1.1", 80) == Refused("10.8.1.1 is a private address")


async def test_an_answer_without_addresses_is_a_dns_failure(fake_dns):
    guard = _guard(fake_dns({"odd.example": ["not-an-ip"]}), Ticker())
    with pytest.raises(DnsLookupFailed, match="no usable address"):
        await guard.vet("odd.example", 80)
