"""TOTP (RFC 6238 over RFC 4226 HOTP): secrets, codes, the otpauth URI and checking a code with skew."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import quote, urlencode

ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def new_secret() -> str:
    """A fresh 160-bit secret in unpadded Base32, the shape Twilio returns (32 characters)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def secret_bytes(secret: str) -> bytes:
    """The key of a Base32 secret (case-insensitive, padding optional); ValueError when it is not Base32."""
    cleaned = secret.strip().replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def code_at(secret: str, timestamp: float, time_step: int = 30, digits: int = 6, alg: str = "sha1") -> str:
    """The code valid at `timestamp` (seconds since the epoch)."""
    return _hotp(secret_bytes(secret), int(timestamp // time_step), digits, alg)


def matches(
    secret: str, code: str, timestamp: float, time_step: int, digits: int, skew: int, alg: str
) -> bool:
    """Whether `code` is the code of the current time step or of up to `skew` steps before or after it."""
    if len(code) != digits or not code.isdigit():
        return False
    key = secret_bytes(secret)
    counter = int(timestamp // time_step)
    # Compare every candidate (no early exit) so the answer time does not reveal which step matched.
    found = False
    for step in range(counter - skew, counter + skew + 1):
        found |= hmac.compare_digest(_hotp(key, step, digits, alg), code)
    return found


def uri(secret: str, issuer: str, account: str, time_step: int, digits: int, alg: str) -> str:
    """The `otpauth://totp/...` URI authenticator apps scan (Twilio's `binding.uri`)."""
    label = quote(f"{issuer}:{account}", safe=":")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": alg.upper(), "digits": digits, "period": time_step},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def _hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    digest = hmac.new(key, counter.to_bytes(8, "big"), ALGORITHMS[alg]).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)
