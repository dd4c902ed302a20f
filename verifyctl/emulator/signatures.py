"""Signature checks: ES256 (ECDSA P-256, via the optional `cryptography` package) and HS256 JWTs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from verifyctl.emulator.errors import INTERNAL_ERROR, ApiError

INSTALL_HINT = "pip install 'verifyctl[emulator]'"


class BadSignature(ValueError):
    """The signature, key or token does not verify (or is malformed)."""


def crypto_unavailable() -> ApiError:
    """The answer when push or passkey verification is asked of an emulator without `cryptography`."""
    return ApiError(
        501,
        INTERNAL_ERROR,
        "This emulator cannot verify ECDSA signatures: the 'cryptography' package is missing"
        f" ({INSTALL_HINT})",
    )


def b64url_decode(text: str) -> bytes:
    """Base64url without padding (WebAuthn, JWS); standard Base64 is accepted too."""
    cleaned = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (ValueError, TypeError) as error:
        raise BadSignature(f"not base64url: {error}") from None


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _ec() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        raise crypto_unavailable() from None
    return ec


def load_spki(public_key_b64: str) -> Any:
    """A P-256 public key from Base64 PKIX/SubjectPublicKeyInfo DER (Twilio's `Binding.PublicKey`)."""
    ec = _ec()
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        key = load_der_public_key(b64url_decode(public_key_b64))
    except ValueError:
        raise BadSignature("not a DER SubjectPublicKeyInfo") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise BadSignature("not a P-256 (ES256) public key")
    return key


def p256_from_xy(x: bytes, y: bytes) -> Any:
    """A P-256 public key from its affine coordinates (a COSE EC2 key)."""
    ec = _ec()
    if len(x) != 32 or len(y) != 32:
        raise BadSignature("P-256 coordinates are 32 bytes each")
    try:
        return ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
    except ValueError:
        raise BadSignature("the point is not on P-256") from None


def verify_es256_der(key: Any, signature: bytes, data: bytes) -> None:
    """Check an ASN.1 DER ECDSA-SHA256 signature (WebAuthn assertions, Android Keystore output)."""
    ec = _ec()
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes

    try:
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise BadSignature("the ES256 signature does not verify") from None


def verify_es256_raw(key: Any, signature: bytes, data: bytes) -> None:
    """Check a JWS ES256 signature: r and s as 32 big-endian bytes each (RFC 7518 §3.4)."""
    if len(signature) != 64:
        raise BadSignature("a JWS ES256 signature is 64 bytes")
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    verify_es256_der(key, der, data)


def verify_jws_es256(key: Any, token: str) -> dict[str, Any]:
    """The claims of a compact JWS signed with ES256 by `key`."""
    parts = token.split(".")
    if len(parts) != 3:
        raise BadSignature("not a compact JWS (three dot-separated parts)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except ValueError:
        raise BadSignature("the JWS header or payload is not JSON") from None
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise BadSignature("the JWS alg must be ES256")
    verify_es256_raw(key, b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode())
    if not isinstance(claims, dict):
        raise BadSignature("the JWS payload must be a JSON object")
    return claims


def hs256_jwt(key: bytes, claims: dict[str, Any], kid: str) -> str:
    """A compact HS256 JWT (the emulator's access tokens)."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = ".".join(
        b64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url_encode(signature)}"


def verify_hs256_jwt(key: bytes, token: str) -> dict[str, Any]:
    """The claims of an HS256 JWT signed with `key` (expiry is the caller's to check)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise BadSignature("not a compact JWT")
    expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, b64url_decode(parts[2])):
        raise BadSignature("the HS256 signature does not verify")
    claims = json.loads(b64url_decode(parts[1]))
    if not isinstance(claims, dict):
        raise BadSignature("the JWT payload must be a JSON object")
    return claims
