"""The HTTP API (FastAPI) over the service layer."""

from ringback.interfaces.api.app import create_app

__all__ = ["create_app"]
