"""WebAuthn (Level 2) checks for passkeys: registration with attestation `none`, assertions with ES256."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from verifyctl.emulator import cbor, signatures

FLAG_USER_PRESENT = 0x01
FLAG_USER_VERIFIED = 0x04
FLAG_ATTESTED_DATA = 0x40
# COSE (RFC 9053) labels and values of an EC2 P-256 ES256 key.
_COSE_KTY, _COSE_ALG, _COSE_CRV, _COSE_X, _COSE_Y = 1, 3, -1, -2, -3
_EC2, _ES256, _P256 = 2, -7, 1


class WebAuthnError(ValueError):
    """A registration or assertion that does not verify; the message says which check failed."""


@dataclass(frozen=True)
class RelyingParty:
    """What the service (or the factor's config) says about the site passkeys are bound to."""

    id: str
    origins: tuple[str, ...]
    user_verification: str | None


@dataclass(frozen=True)
class Credential:
    """A registered public key credential: its id (base64url) and P-256 point, and the last sign count."""

    id: str
    x: bytes
    y: bytes
    sign_count: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "x": self.x.hex(), "y": self.y.hex(), "sign_count": self.sign_count}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Credential:
        return cls(data["id"], bytes.fromhex(data["x"]), bytes.fromhex(data["y"]), int(data["sign_count"]))


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise WebAuthnError(f"{what} is missing")
    try:
        return signatures.b64url_decode(value)
    except signatures.BadSignature:
        raise WebAuthnError(f"{what} is not base64url") from None


def client_data(response: dict[str, Any], expected_type: str, rp: RelyingParty) -> tuple[bytes, str]:
    """The raw clientDataJSON and its challenge, after checking its type and origin."""
    raw = _b64(response.get("clientDataJSON"), "response.clientDataJSON")
    try:
        data = json.loads(raw)
    except ValueError:
        raise WebAuthnError("clientDataJSON is not JSON") from None
    if not isinstance(data, dict):
        raise WebAuthnError("clientDataJSON is not a JSON object")
    if data.get("type") != expected_type:
        raise WebAuthnError(f"clientDataJSON.type must be {expected_type}")
    if data.get("origin") not in rp.origins:
        raise WebAuthnError("clientDataJSON.origin is not one of the relying party's origins")
    challenge = data.get("challenge")
    if not isinstance(challenge, str) or not challenge:
        raise WebAuthnError("clientDataJSON.challenge is missing")
    return raw, challenge


def challenge_of(response: dict[str, Any]) -> str:
    """The challenge a clientDataJSON answers (to find the pending registration or challenge)."""
    try:
        data = json.loads(_b64(response.get("clientDataJSON"), "response.clientDataJSON"))
        challenge = data["challenge"]
    except (ValueError, KeyError, TypeError):
        raise WebAuthnError("clientDataJSON has no challenge") from None
    if not isinstance(challenge, str):
        raise WebAuthnError("clientDataJSON.challenge is not a string")
    return challenge


def _check_auth_data(auth_data: bytes, rp: RelyingParty) -> tuple[int, int]:
    """(flags, sign count) of authenticator data whose rpIdHash and flags suit the relying party."""
    if len(auth_data) < 37:
        raise WebAuthnError("authenticatorData is shorter than 37 bytes")
    if not hmac.compare_digest(auth_data[:32], hashlib.sha256(rp.id.encode()).digest()):
        raise WebAuthnError("rpIdHash is not the SHA-256 of the relying party id")
    flags = auth_data[32]
    if not flags & FLAG_USER_PRESENT:
        raise WebAuthnError("the user-present flag is not set")
    if rp.user_verification == "required" and not flags & FLAG_USER_VERIFIED:
        raise WebAuthnError("the relying party requires user verification and the flag is not set")
    return flags, int.from_bytes(auth_data[33:37], "big")


def _cose_p256(key: Any) -> tuple[bytes, bytes]:
    if not isinstance(key, dict):
        raise WebAuthnError("the credential public key is not a COSE map")
    if key.get(_COSE_KTY) != _EC2 or key.get(_COSE_ALG) != _ES256 or key.get(_COSE_CRV) != _P256:
        raise WebAuthnError("only ES256 (EC2, P-256) credential keys are supported")
    x, y = key.get(_COSE_X), key.get(_COSE_Y)
    if not isinstance(x, bytes) or not isinstance(y, bytes):
        raise WebAuthnError("the COSE key has no x and y coordinates")
    return x, y


def verify_registration(body: dict[str, Any], challenge: str, rp: RelyingParty) -> Credential:
    """The credential a `navigator.credentials.create()` result registers, after every check."""
    response = body.get("response")
    if not isinstance(response, dict):
        raise WebAuthnError("response is missing")
    _, answered = client_data(response, "webauthn.create", rp)
    if not hmac.compare_digest(answered.encode(), challenge.encode()):
        raise WebAuthnError("clientDataJSON.challenge is not the factor's challenge")
    try:
        attestation = cbor.decode(_b64(response.get("attestationObject"), "response.attestationObject"))
    except cbor.CborError as error:
        raise WebAuthnError(f"attestationObject: {error}") from None
    if not isinstance(attestation, dict) or not isinstance(attestation.get("authData"), bytes):
        raise WebAuthnError("attestationObject has no authData")
    # Only attestation `none` (what the options ask for): no statement to check.
    if attestation.get("fmt") != "none" or attestation.get("attStmt") != {}:
        raise WebAuthnError("only attestation format none is supported")
    auth_data = attestation["authData"]
    flags, sign_count = _check_auth_data(auth_data, rp)
    if not flags & FLAG_ATTESTED_DATA:
        raise WebAuthnError("authenticatorData carries no attested credential data")
    if len(auth_data) < 55:
        raise WebAuthnError("attested credential data is truncated")
    id_length = int.from_bytes(auth_data[53:55], "big")
    credential_id = auth_data[55 : 55 + id_length]
    if len(credential_id) != id_length:
        raise WebAuthnError("attested credential data is truncated")
    try:
        key, _ = cbor.decode_prefix(auth_data, 55 + id_length)
    except cbor.CborError as error:
        raise WebAuthnError(f"credential public key: {error}") from None
    x, y = _cose_p256(key)
    signatures.p256_from_xy(x, y)
    encoded_id = signatures.b64url_encode(credential_id)
    if body.get("rawId", encoded_id) != encoded_id or body.get("id", encoded_id) != encoded_id:
        raise WebAuthnError("id/rawId differ from the attested credential id")
    return Credential(encoded_id, x, y, sign_count)


def verify_assertion(body: dict[str, Any], challenge: str, rp: RelyingParty, credential: Credential) -> int:
    """The new sign count of a `navigator.credentials.get()` result for `credential`, after every check."""
    response = body.get("response")
    if not isinstance(response, dict):
        raise WebAuthnError("response is missing")
    raw_client_data, answered = client_data(response, "webauthn.get", rp)
    if not hmac.compare_digest(answered.encode(), challenge.encode()):
        raise WebAuthnError("clientDataJSON.challenge is not the challenge's")
    auth_data = _b64(response.get("authenticatorData"), "response.authenticatorData")
    _, sign_count = _check_auth_data(auth_data, rp)
    signature = _b64(response.get("signature"), "response.signature")
    key = signatures.p256_from_xy(credential.x, credential.y)
    try:
        signatures.verify_es256_der(key, signature, auth_data + hashlib.sha256(raw_client_data).digest())
    except signatures.BadSignature as error:
        raise WebAuthnError(str(error)) from None
    # A counter that does not grow suggests a cloned authenticator (WebAuthn §6.1.1); 0 means "no counter".
    if (sign_count or credential.sign_count) and sign_count <= credential.sign_count:
        raise WebAuthnError("the signature counter did not increase")
    return sign_count
