"""``AsyncClient``: the ringback API from asyncio code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import httpx

from ringback.core.jobs import JobKind
from ringback.interfaces.client import models, wire
from ringback.interfaces.client.errors import STATUS_UNREACHABLE, ApiError
from ringback.interfaces.client.wire import Call, JobQuery


class AsyncClient:
    """Talks to a ringback server. Use as ``async with AsyncClient(...) as client``
    (or call ``aclose``). Every method raises ``ApiError`` for an error answer."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: timedelta = timedelta(seconds=10),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout.total_seconds(),
            transport=transport,
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: Call) -> tuple[Any, httpx.Headers]:
        try:
            answer = await self._http.request(
                call.method, call.path, params=tuple(call.params), json=call.body
            )
        except httpx.TimeoutException as exc:
            raise ApiError(STATUS_UNREACHABLE, "timeout", f"no answer in time: {exc}") from None
        except httpx.HTTPError as exc:
            raise ApiError(STATUS_UNREACHABLE, "unavailable", f"cannot reach: {exc}") from None
        return wire.decode(answer.status_code, answer.text), answer.headers

    async def submit(
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
        data, headers = await self._send(call)
        replayed = headers.get(wire.REPLAYED_HEADER, "").lower() == "true"
        return models.submitted(data, created=not replayed)

    async def get_job(self, job_id: int) -> models.JobDetails:
        data, _ = await self._send(wire.job_call(job_id))
        return models.job_details(data)

    async def list_jobs(
        self, query: JobQuery | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> models.JobList:
        """One page of jobs matching ``query``, newest first."""
        call = wire.list_call(query or JobQuery(), limit=limit, cursor=cursor)
        data, _ = await self._send(call)
        return models.job_list(data)

    async def iter_jobs(
        self, query: JobQuery | None = None, *, page_size: int = 100
    ) -> AsyncIterator[models.JobInfo]:
        """Every job matching ``query``, newest first, fetching page after page."""
        cursor: str | None = None
        while True:
            page = await self.list_jobs(query, limit=page_size, cursor=cursor)
            for job in page.jobs:
                yield job
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def cancel(self, job_id: int) -> models.JobInfo:
        data, _ = await self._send(wire.job_call(job_id, "cancel"))
        return models.job_of(data)

    async def retry(
        self, job_id: int, *, at: datetime | None = None, delay: timedelta | str | None = None
    ) -> models.JobInfo:
        data, _ = await self._send(wire.retry_call(job_id, at, delay))
        return models.job_of(data)

    async def reschedule(
        self, job_id: int, *, at: datetime | None = None, delay: timedelta | str | None = None
    ) -> models.JobInfo:
        data, _ = await self._send(wire.reschedule_call(job_id, at, delay))
        return models.job_of(data)

    async def overview(self) -> models.OverviewInfo:
        data, _ = await self._send(Call("GET", "/v1/overview"))
        return models.overview_info(data)

    async def preview_policy(
        self, policy: Mapping[str, Any] | str, count: int = 10, *, start: datetime | None = None
    ) -> models.PolicyPreview:
        data, _ = await self._send(wire.preview_call(policy, count, start))
        return models.policy_preview(data)
