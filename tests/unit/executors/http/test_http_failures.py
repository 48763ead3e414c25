"""One-line texts for attempts that got no answer, and redirect targets in errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from yarl import URL

from ringback.core.executors.http.failures import describe_failure
from ringback.core.executors.http.guard import DnsLookupFailed
from ringback.core.executors.http.response import redirect_target
from ringback.core.executors.http.timeouts import Timeouts
from ringback.core.executors.http.wire import (
    BodyCutOff,
    CertificateRejected,
    ConnectFailed,
    ConnectTimeout,
    Disconnected,
    InvalidAnswer,
    TlsFailed,
)

TIMEOUTS = Timeouts(connect=timedelta(seconds=5), total=timedelta(milliseconds=1500))
TARGET = "shop.example:443"


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (ConnectTimeout("no connection within 5s"), "connect timeout after 5s (shop.example:443)"),
        (TimeoutError(), "timeout after 1s500ms"),
        (DnsLookupFailed("DNS lookup for shop.example failed: boom"), "DNS lookup for shop"),
        (
            ConnectFailed(ConnectionRefusedError(111, "Connection refused")),
            "connection refused (shop.example:443)",
        ),
        (
            ConnectFailed(OSError(113, "No route to host")),
            "cannot connect to shop.example:443: No route to host",
        ),
        (
            CertificateRejected("certificate has expired"),
            "TLS certificate of shop.example:443 not accepted: certificate has expired",
        ),
        (
            TlsFailed("WRONG_VERSION_NUMBER"),
            "TLS handshake with shop.example:443 failed: WRONG_VERSION_NUMBER",
        ),
        (
            Disconnected("the receiver closed the connection without answering"),
            "shop.example:443 closed the connection without answering",
        ),
        (BodyCutOff("the connection closed before the end of the body"), "cut off"),
        (
            InvalidAnswer("Expected HTTP/"),
            "invalid HTTP answer from shop.example:443: Expected HTTP/",
        ),
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
