"""Factors (`/Entities/{identity}/Factors`): TOTP and push factors, their binding, and their verification."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from verifyctl.emulator import entities, signatures, totp
from verifyctl.emulator.clock import new_sid
from verifyctl.emulator.collection import service_or_404
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import ApiError, invalid, not_found
from verifyctl.emulator.identity_errors import (
    MAX_FACTOR_ATTEMPTS,
    factor_attempts_reached,
    factor_verification_failed,
    invalid_request,
)
from verifyctl.emulator.pagination import envelope, parse_page_request
from verifyctl.emulator.validation import Form, integer_between, one_of

FIELDS = (
    "sid",
    "account_sid",
    "service_sid",
    "entity_sid",
    "identity",
    "date_created",
    "date_updated",
    "friendly_name",
    "status",
    "factor_type",
    "config",
    "metadata",
)
# The create answer (`new_factor`) also carries the binding (only ever shown then) and passkey options.
NEW_FIELDS = FIELDS[:5] + ("binding", "options") + FIELDS[5:]
# The spec's defaults when neither the request nor the service's `totp` settings give one.
TOTP_DEFAULTS = {"time_step": 30, "code_length": 6, "skew": 1, "alg": "sha1"}
_TOTP_CONFIG = (
    ("Config.TimeStep", "time_step", integer_between(20, 60)),
    ("Config.CodeLength", "code_length", integer_between(3, 8)),
    ("Config.Skew", "skew", integer_between(0, 2)),
    ("Config.Alg", "alg", one_of("sha1", "sha256", "sha512")),
)
_PLATFORM = one_of("apn", "fcm", "none")


def factor_url(ctx: Context, doc: dict[str, Any]) -> str:
    return entities.entity_url(ctx, doc["service_sid"], doc["identity"]) + f"/Factors/{doc['sid']}"


def render(ctx: Context, doc: dict[str, Any], new: bool = False) -> dict[str, Any]:
    body = {name: doc.get(name) for name in (NEW_FIELDS if new else FIELDS)}
    body["url"] = factor_url(ctx, doc)
    return body


def load(ctx: Context, service_sid: str, identity: str, factor_sid: str) -> dict[str, Any] | None:
    return ctx.store.get(ctx.account_sid, "factor", entities.entity_scope(service_sid, identity), factor_sid)


def save(ctx: Context, doc: dict[str, Any]) -> None:
    scope = entities.entity_scope(doc["service_sid"], doc["identity"])
    ctx.store.replace(ctx.account_sid, "factor", scope, doc["sid"], doc)


def string_map(name: str, raw: str) -> dict[str, str]:
    """A stringified JSON object of string values (`Metadata`, `HiddenDetails`), up to 1024 characters."""
    if len(raw) > 1024:
        raise invalid(name, "must be at most 1024 characters")
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise invalid(name, "must be a JSON object") from None
    if not isinstance(parsed, dict) or not all(isinstance(value, str) for value in parsed.values()):
        raise invalid(name, "must be a JSON object with string values")
    return parsed


def _friendly_name(raw: str) -> str:
    if not 1 <= len(raw) <= 64:
        raise invalid("FriendlyName", "must be 1 to 64 characters")
    return raw


def _totp_config(ctx: Context, service: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """The factor's TOTP config: the request's `Config.*` over the factor's (or else the service's) values."""
    if current is None:
        settings = service["totp"]
        # The service has no algorithm setting; Twilio's default is SHA-1.
        current = {key: settings.get(key) or default for key, default in TOTP_DEFAULTS.items()}
    # Twilio's examples answer the keys in this order.
    config = {key: current[key] for key in ("alg", "skew", "code_length", "time_step")}
    for param, key, parse in _TOTP_CONFIG:
        raw = ctx.form.get(param)
        if raw is not None:
            config[key] = parse(param, raw)
    return config


def _notification_token(raw: str) -> str:
    if not 32 <= len(raw) <= 255:
        raise invalid("Config.NotificationToken", "must be 32 to 255 characters")
    return raw


def _push_config(form: Form) -> dict[str, Any]:
    platform = _PLATFORM("Config.NotificationPlatform", form.require("Config.NotificationPlatform"))
    token = form.get("Config.NotificationToken")
    if platform != "none":
        token = _notification_token(form.require("Config.NotificationToken"))
    app_id = form.require("Config.AppId")
    if len(app_id) > 100:
        raise invalid("Config.AppId", "must be at most 100 characters")
    return {
        "sdk_version": form.require("Config.SdkVersion"),
        "app_id": app_id,
        "notification_platform": platform,
        "notification_token": token,
    }


def _push_binding(form: Form) -> dict[str, str]:
    alg = form.require("Binding.Alg")
    if alg != "ES256":
        raise invalid("Binding.Alg", "the supported algorithm is ES256")
    public_key = form.require("Binding.PublicKey")
    try:
        signatures.load_spki(public_key)
    except signatures.BadSignature as error:
        raise invalid("Binding.PublicKey", str(error)) from None
    except ApiError:
        # Without `cryptography` the key is kept unchecked; verifying with it answers the install hint.
        pass
    return {"alg": alg, "public_key": public_key}


def _totp_binding(ctx: Context, service: dict[str, Any], name: str, config: dict[str, Any]) -> dict[str, str]:
    secret = ctx.form.get("Binding.Secret") or totp.new_secret()
    try:
        totp.secret_bytes(secret)
    except (binascii.Error, ValueError):
        raise invalid("Binding.Secret", "must be Base32") from None
    issuer = service["totp"].get("issuer") or service["friendly_name"]
    uri = totp.uri(secret, issuer, name, config["time_step"], config["code_length"], config["alg"])
    return {"secret": secret, "uri": uri}


def create_factor(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service = service_or_404(ctx, service_sid)
    identity = entities.check_identity("Identity", ctx.params["identity"])
    name = _friendly_name(ctx.form.require("FriendlyName"))
    factor_type = one_of("push", "totp", "passkeys")("FactorType", ctx.form.require("FactorType"))
    if factor_type == "passkeys":
        raise invalid_request("passkeys factors are created with POST /v2/Services/{sid}/Passkeys/Factors")
    metadata = ctx.form.get("Metadata")
    if factor_type == "totp":
        config = _totp_config(ctx, service, None)
        binding = _totp_binding(ctx, service, name, config)
    else:
        config = _push_config(ctx.form)
        binding = _push_binding(ctx.form)
    entity = entities.ensure(ctx, service_sid, identity)
    now = ctx.now_iso()
    doc: dict[str, Any] = {
        "sid": new_sid("YF"),
        "account_sid": ctx.account_sid,
        "service_sid": service_sid,
        "entity_sid": entity["sid"],
        "identity": identity,
        "binding": binding,
        "options": None,
        "date_created": now,
        "date_updated": now,
        "friendly_name": name,
        "status": "unverified",
        "factor_type": factor_type,
        "config": config,
        "metadata": string_map("Metadata", metadata) if metadata is not None else None,
        "_attempts": 0,
    }
    ctx.store.insert(ctx.account_sid, "factor", entities.entity_scope(service_sid, identity), doc["sid"], doc)
    return Result(201, render(ctx, doc, new=True))


def factor_or_404(ctx: Context) -> dict[str, Any]:
    entity = entities.entity_or_404(ctx)
    doc = load(ctx, entity["service_sid"], entity["identity"], ctx.params["id"])
    if doc is None:
        raise not_found(ctx.path)
    return doc


def fetch_factor(ctx: Context) -> Result:
    return Result(200, render(ctx, factor_or_404(ctx)))


def delete_factor(ctx: Context) -> Result:
    doc = factor_or_404(ctx)
    ctx.store.delete(
        ctx.account_sid, "factor", entities.entity_scope(doc["service_sid"], doc["identity"]), doc["sid"]
    )
    return Result(204)


def list_factors(ctx: Context) -> Result:
    entity = entities.entity_or_404(ctx)
    request = parse_page_request(ctx.query)
    rows, more = ctx.store.page(
        ctx.account_sid,
        "factor",
        entities.entity_scope(entity["service_sid"], entity["identity"]),
        request.size,
        after=request.after,
        before=request.before,
        offset=request.offset,
    )
    items = [render(ctx, doc) for _, doc in rows]
    return Result(200, envelope("factors", items, [seq for seq, _ in rows], more, request, ctx.url(ctx.path)))


def totp_matches(ctx: Context, doc: dict[str, Any], code: str) -> bool:
    """Whether `code` is the factor's TOTP code now, on the emulator's (movable) clock."""
    config = doc["config"]
    secret = doc["binding"]["secret"]
    return totp.matches(
        secret, code, ctx.now(), config["time_step"], config["code_length"], config["skew"], config["alg"]
    )


def push_key(doc: dict[str, Any]) -> Any:
    """The factor's ES256 public key (answers 501 with the install hint without `cryptography`)."""
    try:
        return signatures.load_spki(doc["binding"]["public_key"])
    except signatures.BadSignature as error:
        raise factor_verification_failed(str(error)) from None


def _verify(ctx: Context, doc: dict[str, Any], auth_payload: str) -> None:
    if doc["factor_type"] == "totp":
        if doc["_attempts"] >= MAX_FACTOR_ATTEMPTS:
            raise factor_attempts_reached()
        if totp_matches(ctx, doc, auth_payload):
            doc["status"] = "verified"
        else:
            doc["_attempts"] += 1
        return
    # Push: as the Verify Push SDKs do, the device signs the factor SID with its private key (ECDSA
    # P-256 with SHA-256) and sends the DER signature in Base64.
    key = push_key(doc)
    try:
        signature = base64.b64decode(auth_payload, validate=True)
        signatures.verify_es256_der(key, signature, doc["sid"].encode())
    except (binascii.Error, ValueError, signatures.BadSignature):
        raise factor_verification_failed("the AuthPayload is not a signature of the factor SID") from None
    doc["status"] = "verified"


def update_factor(ctx: Context) -> Result:
    doc = factor_or_404(ctx)
    service = service_or_404(ctx, doc["service_sid"])
    form = ctx.form
    if doc["factor_type"] == "passkeys" and form.get("AuthPayload") is not None:
        raise invalid_request(
            "passkeys factors are verified with POST /v2/Services/{sid}/Passkeys/VerifyFactor"
        )
    name = form.get("FriendlyName")
    if name is not None:
        doc["friendly_name"] = _friendly_name(name)
    if doc["factor_type"] == "totp":
        doc["config"] = _totp_config(ctx, service, doc["config"])
    elif doc["factor_type"] == "push":
        for param, key in (
            ("Config.NotificationToken", "notification_token"),
            ("Config.SdkVersion", "sdk_version"),
        ):
            raw = form.get(param)
            if raw is not None:
                doc["config"][key] = _notification_token(raw) if key == "notification_token" else raw
        platform = form.get("Config.NotificationPlatform")
        if platform is not None:
            doc["config"]["notification_platform"] = _PLATFORM("Config.NotificationPlatform", platform)
    auth_payload = form.get("AuthPayload")
    if auth_payload is not None and doc["status"] == "unverified":
        _verify(ctx, doc, auth_payload)
    doc["date_updated"] = ctx.now_iso()
    save(ctx, doc)
    return Result(200, render(ctx, doc))
