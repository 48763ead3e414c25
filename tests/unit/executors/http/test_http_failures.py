"""One-line texts for attempts that got no answer, and redirect targets in errors."""

from __future__ import annotations

import ssl
from datetime import timedelta

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from yarl import URL

from ringback.core.executors.http.failures import describe_failure
from ringback.core.executors.http.guard import DnsLookupFailed
from ringback.core.executors.http.response import redirect_target
from ringback.core.executors.http.timeouts import Timeouts

TIMEOUTS = Timeouts(connect=timedelta(seconds=5), total=timedelta(milliseconds=1500))
TARGET = "shop.example:443"


def _expired() -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] verify failed")
    error.verify_message = "certificate has expired"
    return error


KEY = ConnectionKey("shop.example", 443, True, True, None, None, None)


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (aiohttp.ConnectionTimeoutError(), "connect timeout after 5s (shop.example:443)"),
        (TimeoutError(), "timeout after 1s500ms"),
        (DnsLookupFailed("DNS lookup for shop.example failed: boom"), "DNS lookup for shop"),
        (
            aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "Connection refused")),
            "connection refused (shop.example:443)",
        ),
        (
            aiohttp.ClientConnectorError(KEY, OSError(113, "No route to host")),
            "cannot connect to shop.example:443: No route to host",
        ),
        (
            aiohttp.ClientConnectorCertificateError(KEY, _expired()),
            "TLS certificate of shop.example:443 not accepted: certificate has expired",
        ),
        (
            aiohttp.ServerDisconnectedError(),
            "shop.example:443 closed the connection without answering",
        ),
        (aiohttp.ClientPayloadError("Response payload is not completed"), "cut off"),
        (OSError("weird\nthing"), "network error with shop.example:443: weird thing"),
    ],
)
def test_failures_are_one_clear_line(exc, text):
    described = describe_failure(exc, TIMEOUTS, TARGET)
    assert text in described
    assert "\n" not in described


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (None, None),
        ("", None),
        ("/moved?token=abc#top", "https://shop.example/moved"),
        ("https://u:p@other.example/x?sig=1", "https://other.example/x"),
        ("next", "https://shop.example/hooks/next"),
        ("http://[bad", "an unreadable Location"),
    ],
)
def test_redirect_targets_drop_credentials_and_queries(location, shown):
    assert redirect_target(location, URL("https://shop.example/hooks/pay")) == shown
