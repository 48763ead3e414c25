"""Bearer-token authentication for every route but ``/healthz``.

The token is compared in constant time so response timing says nothing about
how much of a guess was right.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ringback.core.errors import ConfigError
from ringback.interfaces.api.errors import Unauthorized

# A shorter token is guessable; refuse to serve with one.
MIN_TOKEN_CHARS = 16

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="The API token from the configuration: `Authorization: Bearer <token>`.",
)

TokenCheck = Callable[[HTTPAuthorizationCredentials | None], Awaitable[None]]


def check_token_config(token: str) -> bytes:
    if not isinstance(token, str) or len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"the API token must be at least {MIN_TOKEN_CHARS} characters", field="api.token"
        )
    return token.encode()


def token_dependency(token: str) -> TokenCheck:
    """A FastAPI dependency that admits only requests bearing ``token``."""
    expected = check_token_config(token)

    async def require_token(
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),  # noqa: B008
    ) -> None:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("missing bearer token (Authorization: Bearer <token>)")
        if not hmac.compare_digest(credentials.credentials.encode(), expected):
            raise Unauthorized("invalid token")

    return require_token
