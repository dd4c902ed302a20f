"""Passkeys (`/Services/{sid}/Passkeys/...`): register a passkey factor and approve challenges with it."""

from __future__ import annotations

import json
import secrets
from typing import Any

from verifyctl.emulator import challenges, entities, factors, signatures, webauthn
from verifyctl.emulator.clock import iso, new_sid
from verifyctl.emulator.collection import service_or_404
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import invalid, missing, not_found
from verifyctl.emulator.identity_errors import (
    challenge_expired,
    challenge_verification_failed,
    factor_unverified,
    factor_verification_failed,
    invalid_request,
)

TIMEOUT_MS = 600_000
# Everything below is looked up across a service by a WebAuthn value, so it is indexed per service.
_REGISTRATION = "passkey_registration"  # challenge -> the factor being registered
_CREDENTIAL = "passkey_credential"  # credential id -> its factor
_CHALLENGE = "passkey_challenge"  # challenge sid -> the challenge (alt: its WebAuthn challenge)
_ATTACHMENTS = ("platform", "cross-platform", "any")
_PREFERENCES = ("required", "preferred", "discouraged")


def _json_body(ctx: Context) -> dict[str, Any]:
    try:
        body = json.loads(ctx.body or "{}")
    except ValueError:
        raise invalid_request("the body must be JSON (Content-Type: application/json)") from None
    if not isinstance(body, dict):
        raise invalid_request("the body must be a JSON object")
    return body


def _string(body: dict[str, Any], name: str, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise missing(name)
        return None
    if not isinstance(value, str):
        raise invalid(name, "must be a string")
    return value


def _config(service: dict[str, Any], given: Any) -> dict[str, Any]:
    """The factor's passkeys config: the request's `config` over the service's `passkeys` settings."""
    settings = service["passkeys"]
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise invalid("config", "must be an object")
    rp_given = given.get("relying_party") or {}
    if not isinstance(rp_given, dict):
        raise invalid("config.relying_party", "must be an object")
    rp = {key: rp_given.get(key) or settings["relying_party"][key] for key in ("id", "name", "origins")}
    if not rp["id"] or not rp["origins"]:
        raise invalid(
            "config.relying_party",
            "a relying party id and origins are needed (set the service's Passkeys.RelyingParty.*)",
        )
    origins = rp["origins"]
    if not isinstance(origins, list) or not all(isinstance(origin, str) for origin in origins):
        raise invalid("config.relying_party.origins", "must be a list of origins")
    config = {"relying_party": rp}
    for key, allowed in (
        ("authenticator_attachment", _ATTACHMENTS),
        ("discoverable_credentials", _PREFERENCES),
        ("user_verification", _PREFERENCES),
    ):
        value = given.get(key) or settings[key]
        if value is not None and value not in allowed:
            raise invalid(f"config.{key}", f"must be one of {', '.join(allowed)}")
        config[key] = value
    return config


def _relying_party(config: dict[str, Any]) -> webauthn.RelyingParty:
    rp = config["relying_party"]
    return webauthn.RelyingParty(rp["id"], tuple(rp["origins"]), config["user_verification"])


def _creation_options(doc: dict[str, Any], challenge: str, exclude: list[str]) -> dict[str, Any]:
    config = doc["config"]
    attachment = config["authenticator_attachment"]
    selection: dict[str, Any] = {
        "requireResidentKey": config["discoverable_credentials"] == "required",
        "residentKey": config["discoverable_credentials"] or "preferred",
        "userVerification": config["user_verification"] or "preferred",
    }
    if attachment in ("platform", "cross-platform"):
        selection = {"authenticatorAttachment": attachment, **selection}
    return {
        "publicKey": {
            "rp": {"id": config["relying_party"]["id"], "name": config["relying_party"]["name"]},
            # Twilio's example: the user handle is the entity SID, base64url-encoded.
            "user": {
                "id": signatures.b64url_encode(doc["entity_sid"].encode()),
                "name": doc["friendly_name"],
                "displayName": doc["friendly_name"],
            },
            "challenge": challenge,
            # WebAuthn takes a list here (the spec's example shows a single object).
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
            "timeout": TIMEOUT_MS,
            "excludeCredentials": [{"type": "public-key", "id": credential} for credential in exclude],
            "authenticatorSelection": selection,
            "attestation": "none",
        }
    }


def _entity_factors(ctx: Context, service_sid: str, identity: str) -> list[dict[str, Any]]:
    rows, _ = ctx.store.page(ctx.account_sid, "factor", entities.entity_scope(service_sid, identity), 1000)
    return [doc for _, doc in rows if doc["factor_type"] == "passkeys"]


def create_factor(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service = service_or_404(ctx, service_sid)
    body = _json_body(ctx)
    name = str(_string(body, "friendly_name"))
    if len(name) > 64:
        raise invalid("friendly_name", "must be at most 64 characters")
    identity = entities.check_identity("identity", str(_string(body, "identity")))
    config = _config(service, body.get("config"))
    entity = entities.ensure(ctx, service_sid, identity)
    now = ctx.now_iso()
    challenge = signatures.b64url_encode(secrets.token_bytes(32))
    doc: dict[str, Any] = {
        "sid": new_sid("YF"),
        "account_sid": ctx.account_sid,
        "service_sid": service_sid,
        "entity_sid": entity["sid"],
        "identity": identity,
        "binding": None,
        "options": None,
        "date_created": now,
        "date_updated": now,
        "friendly_name": name,
        "status": "unverified",
        "factor_type": "passkeys",
        "config": config,
        "metadata": None,
        "_challenge": challenge,
        "_challenge_expires_at": ctx.now() + TIMEOUT_MS / 1000,
    }
    existing = [
        factor["_credential"]["id"]
        for factor in _entity_factors(ctx, service_sid, identity)
        if factor.get("_credential")
    ]
    doc["options"] = _creation_options(doc, challenge, existing)
    ctx.store.insert(ctx.account_sid, "factor", entities.entity_scope(service_sid, identity), doc["sid"], doc)
    ctx.store.insert(
        ctx.account_sid, _REGISTRATION, service_sid, challenge, {"identity": identity, "sid": doc["sid"]}
    )
    return Result(201, factors.render(ctx, doc, new=True))


def verify_factor(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    body = _json_body(ctx)
    if not isinstance(body.get("response"), dict):
        raise missing("response")
    try:
        challenge = webauthn.challenge_of(body["response"])
    except webauthn.WebAuthnError as error:
        raise factor_verification_failed(str(error)) from None
    pointer = ctx.store.get(ctx.account_sid, _REGISTRATION, service_sid, challenge)
    doc = None if pointer is None else factors.load(ctx, service_sid, pointer["identity"], pointer["sid"])
    if doc is None or doc["status"] != "unverified":
        raise factor_verification_failed("no passkey registration is waiting for this challenge")
    if ctx.now() >= doc["_challenge_expires_at"]:
        raise factor_verification_failed("the registration's challenge expired; create the factor again")
    try:
        credential = webauthn.verify_registration(body, challenge, _relying_party(doc["config"]))
    except (webauthn.WebAuthnError, signatures.BadSignature) as error:
        raise factor_verification_failed(str(error)) from None
    if ctx.store.get(ctx.account_sid, _CREDENTIAL, service_sid, credential.id) is not None:
        raise factor_verification_failed("this credential is already registered")
    doc["status"] = "verified"
    doc["date_updated"] = ctx.now_iso()
    doc["_credential"] = credential.to_json()
    factors.save(ctx, doc)
    ctx.store.delete(ctx.account_sid, _REGISTRATION, service_sid, challenge)
    pointer = {"identity": doc["identity"], "sid": doc["sid"]}
    ctx.store.insert(ctx.account_sid, _CREDENTIAL, service_sid, credential.id, pointer)
    return Result(200, factors.render(ctx, doc))


def _render_challenge(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    body = {name: doc.get(name) for name in challenges.FIELDS}
    # As in Twilio's examples: the URL of the operation that answered, no links.
    body["url"] = ctx.url(ctx.path)
    body["links"] = None
    body["options"] = doc["options"]
    return body


def create_challenge(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service = service_or_404(ctx, service_sid)
    body = _json_body(ctx)
    identity = _string(body, "identity", required=False)
    factor_sid = _string(body, "factor_sid", required=False)
    entity: dict[str, Any] | None = None
    allowed: list[dict[str, Any]] = []
    if identity is not None:
        entity = entities.find(ctx, service_sid, identity)
        if entity is None:
            raise not_found(f"/v2/Services/{service_sid}/Entities/{identity}")
        allowed = [
            factor for factor in _entity_factors(ctx, service_sid, identity) if factor["status"] == "verified"
        ]
        if factor_sid is not None:
            allowed = [factor for factor in allowed if factor["sid"] == factor_sid]
        if not allowed:
            raise factor_unverified()
    elif factor_sid is not None:
        raise invalid("identity", "required with factor_sid")
    # A discoverable (usernameless) challenge uses the service's relying party.
    config = allowed[0]["config"] if allowed else _config(service, None)
    value = signatures.b64url_encode(secrets.token_bytes(32))
    now = ctx.now()
    doc: dict[str, Any] = {
        "sid": new_sid("YC"),
        "account_sid": ctx.account_sid,
        "service_sid": service_sid,
        "entity_sid": entity["sid"] if entity else None,
        "identity": identity,
        "factor_sid": allowed[0]["sid"] if len(allowed) == 1 else None,
        "date_created": iso(now),
        "date_updated": iso(now),
        "date_responded": None,
        "expiration_date": iso(now + TIMEOUT_MS / 1000),
        "status": "pending",
        "responded_reason": "none",
        "details": None,
        "hidden_details": None,
        "metadata": None,
        "factor_type": "passkeys",
        "options": {
            "publicKey": {
                "challenge": value,
                "timeout": TIMEOUT_MS,
                "rpId": config["relying_party"]["id"],
                "allowCredentials": [
                    {"type": "public-key", "id": factor["_credential"]["id"]} for factor in allowed
                ],
                "userVerification": config["user_verification"] or "preferred",
            }
        },
        "_expires_at": now + TIMEOUT_MS / 1000,
        "_config": config,
    }
    ctx.store.insert(ctx.account_sid, _CHALLENGE, service_sid, doc["sid"], doc, alt=value)
    return Result(201, _render_challenge(ctx, doc))


def approve_challenge(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    body = _json_body(ctx)
    for name in ("id", "rawId", "authenticatorAttachment"):
        _string(body, name)
    if not isinstance(body.get("response"), dict):
        raise missing("response")
    try:
        value = webauthn.challenge_of(body["response"])
    except webauthn.WebAuthnError as error:
        raise challenge_verification_failed(str(error)) from None
    doc = ctx.store.latest_by_alt(ctx.account_sid, _CHALLENGE, service_sid, value)
    if doc is None:
        raise challenge_verification_failed("no passkey challenge is waiting for this challenge")
    if doc["status"] != "pending":
        raise invalid_request(f"the challenge is {doc['status']}, no longer pending")
    if ctx.now() >= doc["_expires_at"]:
        doc["status"] = "expired"
        doc["date_updated"] = iso(doc["_expires_at"])
        ctx.store.replace(ctx.account_sid, _CHALLENGE, service_sid, doc["sid"], doc)
        # Answered (not raised) so that the `expired` status survives the transaction.
        expired = challenge_expired()
        return Result(expired.status, expired.body())
    pointer = ctx.store.get(ctx.account_sid, _CREDENTIAL, service_sid, str(body["rawId"]))
    factor = None if pointer is None else factors.load(ctx, service_sid, pointer["identity"], pointer["sid"])
    if factor is None:
        raise challenge_verification_failed("the credential is not registered with this service")
    if doc["identity"] is not None and factor["identity"] != doc["identity"]:
        raise challenge_verification_failed("the credential belongs to another entity")
    allowed = [item["id"] for item in doc["options"]["publicKey"]["allowCredentials"]]
    if allowed and str(body["rawId"]) not in allowed:
        raise challenge_verification_failed("the credential is not one the challenge allows")
    user_handle = body["response"].get("userHandle")
    if user_handle and user_handle != signatures.b64url_encode(factor["entity_sid"].encode()):
        raise challenge_verification_failed("userHandle is not the credential's user")
    credential = webauthn.Credential.from_json(factor["_credential"])
    try:
        sign_count = webauthn.verify_assertion(body, value, _relying_party(factor["config"]), credential)
    except (webauthn.WebAuthnError, signatures.BadSignature) as error:
        raise challenge_verification_failed(str(error)) from None
    factor["_credential"]["sign_count"] = sign_count
    factors.save(ctx, factor)
    now = ctx.now_iso()
    doc.update(
        status="approved",
        date_responded=now,
        date_updated=now,
        entity_sid=factor["entity_sid"],
        identity=factor["identity"],
        factor_sid=factor["sid"],
    )
    ctx.store.replace(ctx.account_sid, _CHALLENGE, service_sid, doc["sid"], doc)
    return Result(200, _render_challenge(ctx, doc))
