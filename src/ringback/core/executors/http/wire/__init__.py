"""A lean HTTP/1.1 client for callbacks: pinned connections, keep-alive, capped answers.

Made for one job: send a request to addresses the guard vetted and read a bounded
answer, fast. No proxies, cookies, redirects, compression or environment settings:
each would be a way around the guard or a cost every callback pays.
"""

from ringback.core.executors.http.wire.answer import Answer, AnswerHeaders
from ringback.core.executors.http.wire.errors import (
    BodyCutOff,
    CertificateRejected,
    ConnectFailed,
    ConnectTimeout,
    Disconnected,
    InvalidAnswer,
    TlsFailed,
    UnpinnedConnection,
    WireError,
)
from ringback.core.executors.http.wire.pool import IDLE_TIMEOUT_S, ConnectionPool, PoolClosed

__all__ = [
    "IDLE_TIMEOUT_S",
    "Answer",
    "AnswerHeaders",
    "BodyCutOff",
    "CertificateRejected",
    "ConnectFailed",
    "ConnectTimeout",
    "ConnectionPool",
    "Disconnected",
    "InvalidAnswer",
    "PoolClosed",
    "TlsFailed",
    "UnpinnedConnection",
    "WireError",
]
