"""Why an exchange with a receiver ended without a usable answer.

Every error is an ``OSError`` so the executor's "no answer, retry later" net catches
them next to the operating system's own errors. Messages name what went wrong, never
the request: they end up in the attempt log.
"""

from __future__ import annotations


class WireError(OSError):
    """The exchange failed; ``str()`` is a short reason without request content."""


class UnpinnedConnection(WireError):
    """The request was for another host than the one the guard vetted and pinned."""


class ConnectFailed(WireError):
    """No vetted address accepted the connection; ``os_error`` is the last refusal."""

    def __init__(self, os_error: OSError) -> None:
        super().__init__(os_error.strerror or str(os_error) or type(os_error).__name__)
        self.os_error = os_error


class ConnectTimeout(WireError):
    """Opening the connection (TCP and TLS) took longer than the connect timeout."""


class TlsFailed(WireError):
    """The TLS handshake failed for another reason than the certificate."""


class CertificateRejected(TlsFailed):
    """The receiver's certificate did not verify; ``detail`` is OpenSSL's reason."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Disconnected(WireError):
    """The receiver closed the connection before its answer's headers were complete."""


class BodyCutOff(WireError):
    """The connection ended in the middle of an answer's declared body."""


class InvalidAnswer(WireError):
    """What came back is not HTTP/1.x (bad status line, framing, oversized headers)."""
