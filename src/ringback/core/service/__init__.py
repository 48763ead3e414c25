"""The service layer shared by the HTTP API, the CLI and the dashboard."""

from ringback.core.service.jobs import MAX_PAGE_SIZE, JobDetail, JobService
from ringback.core.service.overview import Overview
from ringback.core.service.policy_specs import PolicySpec
from ringback.core.service.redaction import mask_secrets, redact_url
from ringback.core.service.requests import SubmitRequest
from ringback.core.service.views import attempt_view, detail_view, job_view, overview_view

__all__ = [
    "MAX_PAGE_SIZE",
    "JobDetail",
    "JobService",
    "Overview",
    "PolicySpec",
    "SubmitRequest",
    "attempt_view",
    "detail_view",
    "job_view",
    "mask_secrets",
    "overview_view",
    "redact_url",
]
