"""Python clients for the ringback HTTP API (asyncio and blocking)."""

from ringback.interfaces.client.async_client import AsyncClient
from ringback.interfaces.client.errors import ApiError
from ringback.interfaces.client.models import (
    AttemptInfo,
    JobDetails,
    JobInfo,
    JobList,
    OverviewInfo,
    PolicyPreview,
    Submitted,
)
from ringback.interfaces.client.sync_client import Client
from ringback.interfaces.client.wire import JobQuery

__all__ = [
    "ApiError",
    "AsyncClient",
    "AttemptInfo",
    "Client",
    "JobDetails",
    "JobInfo",
    "JobList",
    "JobQuery",
    "OverviewInfo",
    "PolicyPreview",
    "Submitted",
]
