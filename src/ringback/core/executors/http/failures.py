"""One-line explanations of attempts that got no answer (timeouts, refused connections,
TLS and DNS trouble). They go into the attempt log, so they name the target but carry
no request content."""

from __future__ import annotations

from ringback.core.executors.http.guard import DnsLookupFailed
from ringback.core.executors.http.timeouts import Timeouts, format_timeout
from ringback.core.executors.http.wire.errors import (
    BodyCutOff,
    CertificateRejected,
    ConnectFailed,
    ConnectTimeout,
    Disconnected,
    InvalidAnswer,
    TlsFailed,
    WireError,
)


def _connect_failure(exc: ConnectFailed, target: str) -> str:
    if isinstance(exc.os_error, ConnectionRefusedError):
        return f"connection refused ({target})"
    return f"cannot connect to {target}: {exc}"


def _wire_failure(exc: WireError, timeouts: Timeouts, target: str) -> str:
    if isinstance(exc, ConnectTimeout):
        return f"connect timeout after {format_timeout(timeouts.connect)} ({target})"
    if isinstance(exc, ConnectFailed):
        return _connect_failure(exc, target)
    if isinstance(exc, CertificateRejected):
        return f"TLS certificate of {target} not accepted: {exc.detail}"
    if isinstance(exc, TlsFailed):
        return f"TLS handshake with {target} failed: {exc}"
    if isinstance(exc, Disconnected):
        return f"{target} closed the connection without answering"
    if isinstance(exc, BodyCutOff):
        return f"the answer's body was cut off: {exc}"
    if isinstance(exc, InvalidAnswer):
        return f"invalid HTTP answer from {target}: {exc}"
    return f"{exc} ({target})"


def describe_failure(exc: BaseException, timeouts: Timeouts, target: str) -> str:
    """Why an attempt at ``target`` ended without an answer, in one line."""
    if isinstance(exc, WireError):
        text = _wire_failure(exc, timeouts, target)
    elif isinstance(exc, TimeoutError):
        text = f"timeout after {format_timeout(timeouts.total)}"
    elif isinstance(exc, DnsLookupFailed):
        text = str(exc)
    else:
        text = f"network error with {target}: {exc}"
    return " ".join(text.split())
