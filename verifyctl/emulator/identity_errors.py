"""Error codes Twilio documents for Verify Push, TOTP and Passkeys (twilio.com/docs/api/errors/<code>)."""

from __future__ import annotations

from verifyctl.emulator.errors import ApiError

INVALID_REQUEST = 60306  # Invalid Request (Factors, Challenges): 400
FACTOR_ATTEMPTS_REACHED = 60310  # Factor verification attempts reached (5 for TOTP): 429
FACTOR_VERIFICATION_FAILED = 60311  # Factor verification failure: 403
FACTOR_UNVERIFIED = 60318  # Factor is unverified: 403
CHALLENGE_EXPIRED = 60323  # Challenge verification window expired: 403
CHALLENGE_VERIFICATION_FAILED = 60324  # AuthPayload invalid (push signature or TOTP code): 403

MAX_FACTOR_ATTEMPTS = 5


def invalid_request(reason: str) -> ApiError:
    return ApiError(400, INVALID_REQUEST, f"Invalid request: {reason}")


def factor_attempts_reached() -> ApiError:
    return ApiError(429, FACTOR_ATTEMPTS_REACHED, "Factor verification attempts reached")


def factor_verification_failed(reason: str) -> ApiError:
    return ApiError(403, FACTOR_VERIFICATION_FAILED, f"Factor verification failed: {reason}")


def factor_unverified() -> ApiError:
    return ApiError(403, FACTOR_UNVERIFIED, "Factor is unverified")


def challenge_expired() -> ApiError:
    return ApiError(403, CHALLENGE_EXPIRED, "Challenge verification window expired")


def challenge_verification_failed(reason: str) -> ApiError:
    return ApiError(403, CHALLENGE_VERIFICATION_FAILED, f"Challenge verification failed: {reason}")
