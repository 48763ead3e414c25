"""The HTTP callback executor: one attempt = vet the host, sign, send, judge the answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from ringback.core.clock import Clock, SystemClock
from ringback.core.errors import InvalidInput
from ringback.core.executors.base import ExecutionResult, Executor, PreparedJob, ResultKind
from ringback.core.executors.http.addresses import AddressPolicy
from ringback.core.executors.http.failures import describe_failure
from ringback.core.executors.http.guard import (
    AddressGuard,
    DnsLookupFailed,
    Pin,
    Refused,
    Resolver,
    SystemResolver,
)
from ringback.core.executors.http.options import HttpOptions
from ringback.core.executors.http.payload import CallbackRequest, parse_request
from ringback.core.executors.http.response import excerpt, redirect_target
from ringback.core.executors.http.retry_after import RETRY_AFTER_STATUSES, parse_retry_after
from ringback.core.executors.http.signing import Signer, message_id
from ringback.core.executors.http.success import judge
from ringback.core.executors.http.timeouts import Timeouts
from ringback.core.executors.http.wire.pool import ConnectionPool
from ringback.core.jobs import Job, JobKind, JsonObject

# What an attempt can die of without an answer; anything else is a bug and propagates.
# (The wire client's errors are OSErrors, as are TimeoutError and the socket's own.)
_NO_ANSWER = (OSError, TimeoutError, DnsLookupFailed)


class HttpExecutor(Executor):
    """Delivers HTTP callbacks through one shared pool of keep-alive connections.

    ``resolver`` replaces DNS (tests use it to make a public-looking name resolve to
    chosen addresses), ``clock`` stamps signatures and reads Retry-After dates, and
    ``monotonic`` times the DNS cache.
    """

    kind = JobKind.HTTP

    def __init__(
        self,
        options: HttpOptions,
        *,
        resolver: Resolver | None = None,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._options = options
        self._policy = AddressPolicy(options.allow_private, options.allow_list)
        self._guard = AddressGuard(
            self._policy,
            resolver or SystemResolver(),
            cache_ttl=options.dns_cache_ttl,
            monotonic=monotonic,
        )
        self._signer = Signer(options.signing_secret)
        self._named_signers = {
            name: Signer(secret) for name, secret in options.named_secrets.items()
        }
        self._clock: Clock = clock or SystemClock()
        self._pool: ConnectionPool | None = None

    def prepare(self, payload: JsonObject) -> PreparedJob:
        request = parse_request(payload, options=self._options, policy=self._policy)
        return PreparedJob(payload=request.to_payload(), target=request.target)

    async def execute(self, job: Job) -> ExecutionResult:
        try:
            request = parse_request(job.payload, options=self._options, policy=self._policy)
        except InvalidInput as exc:
            # Accepted once but not now (e.g. the operator lowered a limit): retrying
            # will not change the payload.
            return ExecutionResult(ResultKind.FAIL, error=f"{exc.field}: {exc.message}")
        timeouts = request.timeouts(self._options)
        try:
            async with asyncio.timeout(timeouts.total_s):
                vetting = await self._guard.vet(request.host, request.port)
                if isinstance(vetting, Refused):
                    return ExecutionResult(ResultKind.FAIL, error=f"refused: {vetting.reason}")
                return await self._send(job, request, vetting, timeouts)
        except _NO_ANSWER as exc:
            error = describe_failure(exc, timeouts, request.target)
            return ExecutionResult(ResultKind.RETRY, error=error)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def _send(
        self, job: Job, request: CallbackRequest, pin: Pin, timeouts: Timeouts
    ) -> ExecutionResult:
        headers = request.base_headers(self._options.user_agent)
        msg_id = message_id(job.id, job.key)
        timestamp = int(self._clock.now().timestamp())
        headers["webhook-id"] = msg_id
        headers["webhook-timestamp"] = str(timestamp)
        headers["webhook-signature"] = self._signer_for(request).sign(
            msg_id, timestamp, request.body
        )
        answer = await self._pool_in_loop().request(
            pin,
            request.method,
            request.url,
            headers,
            request.body,
            connect_timeout_s=timeouts.connect_s,
            max_body_bytes=self._options.max_response_bytes,
        )
        status, body = answer.status, answer.body
        location = None
        if 300 <= status < 400:  # only a redirect's error text shows where it pointed
            location = redirect_target(answer.headers.get("Location"), request.url)
        verdict = judge(
            request.success, status, body, truncated=answer.truncated, location=location
        )
        retry_after = None
        if verdict.kind is ResultKind.RETRY and status in RETRY_AFTER_STATUSES:
            retry_after = parse_retry_after(
                answer.headers.get("Retry-After"), now=self._clock.now()
            )
        return ExecutionResult(
            kind=verdict.kind,
            status_code=status,
            response_excerpt=excerpt(body),
            error=verdict.error,
            retry_after=retry_after,
        )

    def _signer_for(self, request: CallbackRequest) -> Signer:
        if request.signing_secret is None:
            return self._signer
        # parse_request has checked the name against the same options.
        return self._named_signers[request.signing_secret]

    def _pool_in_loop(self) -> ConnectionPool:
        """The shared pool, made on first use (its connections belong to the running loop)."""
        if self._pool is None or self._pool.closed:
            self._pool = ConnectionPool(
                limit=self._options.connection_limit,  # per-target limits: the dispatcher's
                tls_context=self._options.ssl_context,
                idle_timeout_s=self._options.keepalive_idle.total_seconds(),
            )
        return self._pool
