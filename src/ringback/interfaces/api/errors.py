"""Every error the API answers is ``{"error": {"code", "message", "field"}}``.

ringback's own exceptions keep their code and field; FastAPI's request validation
errors are rewritten into the same shape with the field path (``body.payload.url``);
anything unexpected is logged and answered with a bare 500, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ringback.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RingbackError,
    StoreError,
)

log = logging.getLogger("ringback.api")


class Unauthorized(RingbackError):
    code = "unauthorized"


_STATUS_BY_ERROR: tuple[tuple[type[RingbackError], int], ...] = (
    (Unauthorized, 401),
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (StoreError, 503),
)

_CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def status_for(exc: RingbackError) -> int:
    for error_type, status in _STATUS_BY_ERROR:
        if isinstance(exc, error_type):
            return status
    return 400


@contextmanager
def fields_in(location: str) -> Iterator[None]:
    """Name fields the way request validation does: ``delay`` -> ``body.delay``."""
    try:
        yield
    except InvalidInput as exc:
        field = location if not exc.field else f"{location}.{exc.field}"
        raise InvalidInput(exc.message, field=field) from None


def field_path(loc: Sequence[int | str]) -> str:
    """``("body", "payload", "url")`` -> ``body.payload.url``; list indexes in brackets."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _validation_answer(exc: RequestValidationError) -> JSONResponse:
    errors: list[dict[str, Any]] = [dict(e) for e in exc.errors()]
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": ""}
    if first.get("type") == "json_invalid":
        ctx = first.get("ctx")
        detail = ctx.get("error", "") if isinstance(ctx, dict) else ""
        message = f"request body is not valid JSON{': ' + str(detail) if detail else ''}"
        return JSONResponse(error_body("malformed_json", message, "body"), status_code=400)
    loc = tuple(first.get("loc", ()))
    message = str(first.get("msg", "invalid value"))
    # Pydantic prefixes custom validator messages; the field already says where.
    message = message.removeprefix("Value error, ")
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return JSONResponse(
        error_body(InvalidInput.code, message, field_path(loc) or None), status_code=422
    )


def install_error_handlers(app: FastAPI) -> None:
    async def on_ringback_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RingbackError)
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        message, field = exc.message, exc.field
        if status >= 500:
            # The detail (file paths, server names) is for the log, not the caller.
            log.error("%s on %s %s: %s", exc.code, request.method, request.url.path, exc)
            message, field = "the store is unavailable; try again later", None
        return JSONResponse(
            error_body(exc.code, message, field), status_code=status, headers=headers
        )

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _validation_answer(exc)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _CODE_BY_STATUS.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return JSONResponse(
            error_body(code, message),
            status_code=exc.status_code,
            headers=dict(exc.headers) if exc.headers else None,
        )

    app.add_exception_handler(RingbackError, on_ringback_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_middleware(CatchAllMiddleware)


class CatchAllMiddleware:
    """Answer an unexpected exception with a plain JSON 500 and log it here.

    Starlette's own last-resort handler re-raises after answering, which makes
    the server print the traceback a second time; this one ends the matter.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # too late to answer cleanly; let the server drop the connection
            answer = JSONResponse(error_body("internal", "internal server error"), status_code=500)
            await answer(scope, receive, send)
