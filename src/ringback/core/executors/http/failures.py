"""One-line explanations of attempts that got no answer (timeouts, refused connections,
TLS and DNS trouble). They go into the attempt log, so they name the target but carry
no request content."""

from __future__ import annotations

import aiohttp

from ringback.core.executors.http.guard import DnsLookupFailed
from ringback.core.executors.http.timeouts import Timeouts, format_timeout


def _os_reason(exc: aiohttp.ClientConnectorError) -> str:
    error = exc.os_error
    return error.strerror or str(error) or type(error).__name__


def _connector_failure(exc: aiohttp.ClientConnectorError, target: str) -> str:
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        problem = exc.certificate_error
        # verify_message is OpenSSL's plain reason ("Hostname mismatch, …").
        detail = getattr(problem, "verify_message", None) or str(problem)
        return f"TLS certificate of {target} not accepted: {detail}"
    if isinstance(exc, aiohttp.ClientSSLError):
        return f"TLS handshake with {target} failed: {_os_reason(exc)}"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot resolve {target}: {_os_reason(exc)}"
    if isinstance(exc.os_error, ConnectionRefusedError):
        return f"connection refused ({target})"
    return f"cannot connect to {target}: {_os_reason(exc)}"


def describe_failure(exc: BaseException, timeouts: Timeouts, target: str) -> str:
    """Why an attempt at ``target`` ended without an answer, in one line."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        text = f"connect timeout after {format_timeout(timeouts.connect)} ({target})"
    elif isinstance(exc, TimeoutError):
        text = f"timeout after {format_timeout(timeouts.total)}"
    elif isinstance(exc, DnsLookupFailed):
        text = str(exc)
    elif isinstance(exc, aiohttp.ClientConnectorError):
        text = _connector_failure(exc, target)
    elif isinstance(exc, aiohttp.ServerDisconnectedError):
        text = f"{target} closed the connection without answering"
    elif isinstance(exc, aiohttp.ClientPayloadError):
        text = f"the answer's body was cut off: {exc}"
    elif isinstance(exc, aiohttp.ClientResponseError):
        text = f"invalid HTTP answer from {target}: {exc.message}"
    elif isinstance(exc, aiohttp.ClientError):
        text = f"{type(exc).__name__} from {target}: {exc}"
    else:
        text = f"network error with {target}: {exc}"
    return " ".join(text.split())
