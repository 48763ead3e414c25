"""``Client``: the same calls as ``AsyncClient`` for code without an event loop."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import httpx

from ringback.core.jobs import JobKind
from ringback.interfaces.client import models, wire
from ringback.interfaces.client.errors import STATUS_UNREACHABLE, ApiError
from ringback.interfaces.client.wire import Call, JobQuery


class Client:
    """Talks to a ringback server. Use as ``with Client(...) as client`` (or call
    ``close``). Every method raises ``ApiError`` for an error answer."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: timedelta = timedelta(seconds=10),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout.total_seconds(),
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: Call) -> tuple[Any, httpx.Headers]:
        try:
            answer = self._http.request(
                call.method, call.path, params=tuple(call.params), json=call.body
            )
        except httpx.TimeoutException as exc:
            raise ApiError(STATUS_UNREACHABLE, "timeout", f"no answer in time: {exc}") from None
        except httpx.HTTPError as exc:
            raise ApiError(STATUS_UNREACHABLE, "unavailable", f"cannot reach: {exc}") from None
        return wire.decode(answer.status_code, answer.text), answer.headers

    def submit(
        self,
        payload: Mapping[str, Any],
        *,
        kind: JobKind | str = JobKind.HTTP,
        policy: Mapping[str, Any] | str | None = None,
        key: str | None = None,
        queue: str = "default",
        at: datetime | None = None,
        delay: timedelta | str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> models.Submitted:
        call = wire.submit_call(
            payload,
            kind=kind,
            policy=policy,
            key=key,
            queue=queue,
            at=at,
            delay=delay,
            labels=labels,
        )
        data, headers = self._send(call)
        replayed = headers.get(wire.REPLAYED_HEADER, "").lower() == "true"
        return models.submitted(data, created=not replayed)

    def get_job(self, job_id: int) -> models.JobDetails:
        data, _ = self._send(wire.job_call(job_id))
        return models.job_details(data)

    def list_jobs(
        self, query: JobQuery | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> models.JobList:
        """One page of jobs matching ``query``, newest first."""
        data, _ = self._send(wire.list_call(query or JobQuery(), limit=limit, cursor=cursor))
        return models.job_list(data)

    def iter_jobs(
        self, query: JobQuery | None = None, *, page_size: int = 100
    ) -> Iterator[models.JobInfo]:
        """Every job matching ``query``, newest first, fetching page after page."""
        cursor: str | None = None
        while True:
            page = self.list_jobs(query, limit=page_size, cursor=cursor)
            yield from page.jobs
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def cancel(self, job_id: int) -> models.JobInfo:
        data, _ = self._send(wire.job_call(job_id, "cancel"))
        return models.job_of(data)

    def retry(
        self, job_id: int, *, at: datetime | None = None, delay: timedelta | str | None = None
    ) -> models.JobInfo:
        data, _ = self._send(wire.retry_call(job_id, at, delay))
        return models.job_of(data)

    def reschedule(
        self, job_id: int, *, at: datetime | None = None, delay: timedelta | str | None = None
    ) -> models.JobInfo:
        data, _ = self._send(wire.reschedule_call(job_id, at, delay))
        return models.job_of(data)

    def overview(self) -> models.OverviewInfo:
        data, _ = self._send(Call("GET", "/v1/overview"))
        return models.overview_info(data)

    def preview_policy(
        self, policy: Mapping[str, Any] | str, count: int = 10, *, start: datetime | None = None
    ) -> models.PolicyPreview:
        data, _ = self._send(wire.preview_call(policy, count, start))
        return models.policy_preview(data)
