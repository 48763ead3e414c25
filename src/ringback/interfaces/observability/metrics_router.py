"""``GET /metrics``: the Prometheus text exposition of everything ringback measures.

The route carries no auth of its own: the app mounts it behind the same bearer
token as ``/v1`` (``create_app(..., extra_routers=[metrics_router(...)])``), and
Prometheus sends the token with ``authorization: {credentials: ...}``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path

from fastapi import APIRouter, Request, Response
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from ringback.core.clock import Clock, SystemClock
from ringback.core.store.contract import Store
from ringback.interfaces.observability.metrics_process import recorded_metrics
from ringback.interfaces.observability.metrics_scrape import snapshot_families, take_snapshot


class _Scrape:
    """One scrape's collectors side by side (a Collector for the encoders)."""

    def __init__(self, sources: Sequence[Collector], families: list[Metric]) -> None:
        self._sources = sources
        self._families = families

    def collect(self) -> Iterator[Metric]:
        for source in self._sources:
            yield from source.collect()
        yield from self._families


def metrics_router(
    store: Store,
    *,
    clock: Clock | None = None,
    state_dir: Path | None = None,
    recorded: Collector | None = None,
) -> APIRouter:
    """The ``/metrics`` route.

    ``state_dir`` is the supervisor's state folder (restart counts; None outside
    ``ringback serve``). ``recorded`` is where the workers' counters are read; by
    default every worker's files in multiprocess mode, else this process's own.
    """
    now: Clock = clock or SystemClock()
    source = recorded if recorded is not None else recorded_metrics()
    router = APIRouter(tags=["metrics"])

    @router.get(
        "/metrics",
        summary="Prometheus metrics (text exposition format)",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "The metrics."}},
    )
    async def metrics(request: Request) -> Response:
        snapshot = await take_snapshot(store, now, state_dir)
        scrape = _Scrape([source], snapshot_families(snapshot))
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        # Reading every worker's files is blocking I/O: keep it off the event loop.
        body = await asyncio.to_thread(encode, scrape)
        return Response(content=body, media_type=content_type)

    return router
