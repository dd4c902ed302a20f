"""Software stand-ins for a user's devices: a TOTP app, a Verify Push phone and a WebAuthn authenticator.

They are written independently of the emulator's code (their own HOTP, CBOR encoder and signing), so
the tests check the emulator against the standards rather than against itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def totp_code(secret: str, timestamp: float, time_step: int = 30, digits: int = 6) -> str:
    """RFC 6238 with SHA-1, as an authenticator app computes it from the factor's Base32 secret."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(timestamp) // time_step), hashlib.sha1).digest()
    offset = digest[19] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


class PushDevice:
    """A phone running the Verify Push SDK: an ES256 key pair whose public half becomes the binding."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())

    @property
    def public_key(self) -> str:
        """`Binding.PublicKey`: the PKIX (SubjectPublicKeyInfo) DER encoding, Base64."""
        der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def verify_factor_payload(self, factor_sid: str) -> str:
        """The factor's `AuthPayload`: a DER ECDSA signature of the factor SID, Base64."""
        return base64.b64encode(self._key.sign(factor_sid.encode(), ec.ECDSA(hashes.SHA256()))).decode()

    def challenge_payload(
        self, challenge: dict[str, Any], status: str, fields: str = "sid,factor_sid,details,hidden_details"
    ) -> str:
        """The challenge's `AuthPayload`: a compact ES256 JWS of the fields the API names and the answer.

        `fields` is the `Twilio-Verify-Signature-Fields` header of the challenge's fetch, as the SDKs read it.
        """
        claims = {name: challenge[name] for name in fields.split(",")}
        return self.sign_jws({**claims, "status": status})

    def sign_jws(self, claims: dict[str, Any]) -> str:
        header = {"typ": "JWT", "alg": "ES256"}
        signing_input = ".".join(b64url(json.dumps(part).encode()) for part in (header, claims))
        r, s = decode_dss_signature(self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def cbor(value: Any) -> bytes:
    """Encode the CBOR subset WebAuthn needs: ints, bytes, text, lists and maps."""

    def head(major: int, argument: int) -> bytes:
        if argument < 24:
            return bytes([major << 5 | argument])
        for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if argument < 1 << (8 * size):
                return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
        raise ValueError(argument)

    if isinstance(value, bool) or value is None:
        raise TypeError("not needed here")
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(item) for item in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(type(value))


class SoftwareAuthenticator:
    """A WebAuthn authenticator plus the browser around it, for one origin: attestation `none`, ES256."""

    def __init__(self, origin: str, user_verified: bool = True) -> None:
        self.origin = origin
        self.user_verified = user_verified
        self._credentials: dict[str, tuple[ec.EllipticCurvePrivateKey, str, str]] = {}
        self._counter = 0

    def _flags(self, attested: bool) -> int:
        return 0x01 | (0x04 if self.user_verified else 0) | (0x40 if attested else 0)

    def _client_data(self, kind: str, challenge: str) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        return json.dumps(data).encode()

    def create(self, options: dict[str, Any]) -> dict[str, Any]:
        """`navigator.credentials.create(options)` serialised as Verify's VerifyFactor body expects."""
        public_key = options["publicKey"]
        rp_id = public_key["rp"]["id"]
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = secrets.token_bytes(16)
        numbers = key.public_key().public_numbers()
        cose_key = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(attested=True)])
            + (0).to_bytes(4, "big")
            + bytes(16)  # AAGUID: all zero, as with attestation none
            + len(credential_id).to_bytes(2, "big")
            + credential_id
            + cbor(cose_key)
        )
        encoded_id = b64url(credential_id)
        self._credentials[encoded_id] = (key, rp_id, public_key["user"]["id"])
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": encoded_id,
            "rawId": encoded_id,
            "authenticatorAttachment": "platform",
            "type": "public-key",
            "response": {
                "attestationObject": b64url(attestation),
                "clientDataJSON": b64url(self._client_data("webauthn.create", public_key["challenge"])),
                "transports": ["internal"],
            },
        }

    def get(self, options: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
        """`navigator.credentials.get(options)` serialised as Verify's ApproveChallenge body expects."""
        public_key = options["publicKey"]
        allowed = [item["id"] for item in public_key.get("allowCredentials", [])]
        candidates = [cid for cid, (_, rp_id, _) in self._credentials.items() if rp_id == public_key["rpId"]]
        chosen = next(cid for cid in candidates if not allowed or cid in allowed)
        key, rp_id, user_handle = self._credentials[chosen]
        self._counter += 1
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(attested=False)])
            + self._counter.to_bytes(4, "big")
        )
        client_data = json.dumps(
            {"type": "webauthn.get", "challenge": public_key["challenge"], "origin": origin or self.origin}
        ).encode()
        signature = key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": chosen,
            "rawId": chosen,
            "authenticatorAttachment": "platform",
            "type": "public-key",
            "response": {
                "authenticatorData": b64url(auth_data),
                "clientDataJSON": b64url(client_data),
                "signature": b64url(signature),
                "userHandle": user_handle,
            },
        }
