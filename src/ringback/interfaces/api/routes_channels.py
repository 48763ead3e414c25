"""``/channels/<channel>/notify``: where Alipay, WeChat Pay and other senders POST.

Public (no bearer token): each request is authenticated by the channel's own
signature, checked by the payments service against the configured keys. The answer is
the one the channel expects — Alipay a ``success``/``fail`` body, WeChat Pay 204 or
a 4xx/5xx JSON error, the generic channel 204 or a JSON error — and accepting comes
only after the notification is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ringback.domain.payments.service import PaymentsService

# Channels send a few KB; the verifiers refuse more than 64 KB. Reading stops a little
# beyond that, so an oversized body is refused (and audited) without being held whole.
MAX_READ_BYTES = 64 * 1024 + 1


async def read_capped(request: Request, limit: int = MAX_READ_BYTES) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def channels_router(payments: PaymentsService) -> APIRouter:
    router = APIRouter(prefix="/channels", tags=["channels"])

    def add(channel: str) -> None:
        async def notify(request: Request) -> Response:
            body = await read_capped(request)
            answer = await payments.accept_channel_notification(
                channel, dict(request.headers), body
            )
            return Response(
                content=answer.body,
                status_code=answer.status_code,
                media_type=answer.content_type,
            )

        router.add_api_route(
            f"/{channel}/notify",
            notify,
            methods=["POST"],
            summary=f"Receive a {channel} payment notification",
            response_class=Response,
        )

    for configured in payments.channels:
        add(configured)
    return router
