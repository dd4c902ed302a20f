"""HTTP only: session, auth, pagination, retry and error mapping for the Verify v2 API."""

from __future__ import annotations

from verifyctl.client.base_url import DEFAULT_BASE_URL, resolve_base_url
from verifyctl.client.credentials import Credentials, credentials_from_env
from verifyctl.client.limiter import CancelledError
from verifyctl.client.retry import RetryPolicy
from verifyctl.client.stats import LimitPath, RequestStats
from verifyctl.client.verify_client import SharedConnections, VerifyClient

__all__ = [
    "DEFAULT_BASE_URL",
    "CancelledError",
    "Credentials",
    "LimitPath",
    "RequestStats",
    "RetryPolicy",
    "SharedConnections",
    "VerifyClient",
    "credentials_from_env",
    "resolve_base_url",
]
