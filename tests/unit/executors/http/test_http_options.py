"""Operator options: validated at construction, secret kept out of reprs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ringback.core.errors import ConfigError
from ringback.core.executors.http import HttpOptions


def test_defaults(secret):
    options = HttpOptions(signing_secret=secret)
    assert options.allow_private is False
    assert options.timeout == timedelta(seconds=30)
    assert options.connect_timeout == timedelta(seconds=5)
    assert options.max_request_bytes == 1024 * 1024
    assert options.max_response_bytes == 64 * 1024
    assert options.connection_limit == 1000
    assert options.user_agent == "ringback/0.1"


def test_the_secret_is_not_in_the_repr(secret):
    assert secret[6:] not in repr(HttpOptions(signing_secret=secret))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"signing_secret": "nope"}, "signing_secret"),
        ({"allowed_hosts": frozenset({"10.0.0.0/40"})}, "allowed_hosts"),
        ({"timeout": timedelta(0)}, "timeout"),
        ({"connect_timeout": timedelta(seconds=-1)}, "connect_timeout"),
        ({"timeout": timedelta(hours=1)}, "max_timeout"),
        ({"dns_cache_ttl": timedelta(seconds=-1)}, "dns_cache_ttl"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
        ({"connection_limit": 0}, "connection_limit"),
        ({"user_agent": "bad\nagent"}, "user_agent"),
    ],
)
def test_bad_options_name_their_field(secret, changes, field):
    settings = {"signing_secret": secret, **changes}
    with pytest.raises(ConfigError) as caught:
        HttpOptions(**settings)
    assert caught.value.field == field
