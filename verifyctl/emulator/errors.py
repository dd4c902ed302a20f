"""Twilio error bodies as exceptions, raised anywhere in a request and answered by the HTTP layer."""

from __future__ import annotations

from typing import Any

# Error codes the emulator answers with (see the README section on the emulator for when).
AUTHENTICATE = 20003
FORBIDDEN = 20403
NOT_FOUND = 20404
METHOD_NOT_ALLOWED = 20004
MISSING_PARAMETER = 20001
INTERNAL_ERROR = 20500
TOO_MANY_REQUESTS = 20429
SERVICE_UNAVAILABLE = 20503
INVALID_PARAMETER = 60200
MAX_CHECK_ATTEMPTS = 60202
MAX_SEND_ATTEMPTS = 60203
# Codes Twilio's error dictionary names for specific cases (twilio.com/docs/api/errors/<code>, all HTTP 400):
# 60206 "'Amount' & 'Payee' params are required" (a Psd2Enabled service); 60208 "Rate limit with that
# UniqueName already exists"; 60209 "UniqueName format is invalid" (only alphanumerics and `-`, `_`, `.`);
# 60211 "Bucket with the given Interval already exists"; 60213 "A Messaging Configuration already exists for
# the given country"; 60214 "Call channel is not supported when using PSD2"; 60306 "Invalid Request" (lists
# "Invalid Webhooks parameters: Invalid EventTypes", and an invalid PhoneNumber for the Global Safe List
# API, applied here to Verify's Safe List too); 60411 "The phone number already exists in the SafeList"
# (twilio.com/docs/verify/api/safe-list: "HTTP 400 with Error Code 60411").
PSD2_PARAMS_REQUIRED = 60206
PSD2_NO_CALL = 60214
DUPLICATE_RATE_LIMIT = 60208
INVALID_UNIQUE_NAME = 60209
DUPLICATE_BUCKET_INTERVAL = 60211
DUPLICATE_MESSAGING_COUNTRY = 60213
INVALID_REQUEST = 60306
SAFE_LIST_DUPLICATE = 60411
# A restricted API key asked for what its permissions leave out: HTTP 403 with 70051 "Authorization Failed"
# (twilio.com/docs/api/errors/70051: "If using a Restricted API Key - the key may be missing a permission to
# access the resource"; twilio.com/docs/api/errors/403: "a Restricted API key that does not include
# permission for the resource or endpoint").
AUTHORIZATION_FAILED = 70051


class ApiError(Exception):
    """An error the API answers with: HTTP status plus the Twilio `code` and `message`."""

    def __init__(self, status: int, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The error body exactly as Twilio shapes it."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def write_refused() -> ApiError:
    """403 for a write with a read-only key, as Twilio answers a restricted key's missing permission."""
    return ApiError(403, AUTHORIZATION_FAILED, "Authorization Failed")


def not_found(path: str) -> ApiError:
    """404 for an unknown object or path; `path` is the request path, shown without its `/v2` prefix."""
    shown = path[3:] if path.startswith("/v2/") else path
    return ApiError(404, NOT_FOUND, f"The requested resource {shown} was not found")


def missing(param: str) -> ApiError:
    """400 for a required parameter that was not sent."""
    return ApiError(400, MISSING_PARAMETER, f"Missing required parameter {param} in the post body")


def invalid(param: str, reason: str = "") -> ApiError:
    """400 for a parameter whose value the API refuses; the reason, when given, follows in parentheses."""
    message = f"Invalid parameter: {param}"
    return ApiError(400, INVALID_PARAMETER, f"{message} ({reason})" if reason else message)
