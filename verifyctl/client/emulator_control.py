"""The emulator's control endpoints (`/__emulator__/*`) over HTTP, for `verifyctl emulator messages`."""

from __future__ import annotations

from typing import Any

import requests

from verifyctl.client.credentials import ACCOUNT_SID, AUTH_TOKEN
from verifyctl.client.failures import is_refused
from verifyctl.errors import VerifyctlError


def fetch_messages(api_url: str, to: str | None, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The messages a running emulator recorded (for `to` only, when given), oldest first."""
    url = api_url.rstrip("/") + "/__emulator__/messages"
    try:
        response = requests.get(url, params={"to": to} if to else None, headers=headers, timeout=10)
    except requests.RequestException as exc:
        reason = "connection refused" if is_refused(exc) else exc.__class__.__name__
        raise VerifyctlError(f"cannot reach the emulator at {api_url}: {reason}") from None
    if (
        response.status_code == 401
        and response.headers.get("WWW-Authenticate", "").find("Verify emulator") >= 0
    ):
        problem = "refused the credentials sent" if headers else "needs credentials"
        raise VerifyctlError(
            f"the emulator at {api_url} {problem}: set {ACCOUNT_SID} and {AUTH_TOKEN} (that"
            f" account's messages) or pass --admin-token (every account's)"
        )
    try:
        payload = response.json() if response.status_code == 200 else None
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("messages"), list):
        raise VerifyctlError(
            f"{api_url} is not a verifyctl emulator (GET {url} answered {response.status_code})"
        )
    return list(payload["messages"])
