"""Challenges (`/Entities/{identity}/Challenges`) of TOTP and push factors, and their Notifications."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from verifyctl.emulator import entities, factors, signatures
from verifyctl.emulator.clock import iso, new_sid
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import invalid, not_found
from verifyctl.emulator.identity_errors import (
    challenge_expired,
    challenge_verification_failed,
    factor_unverified,
    invalid_request,
)
from verifyctl.emulator.pagination import envelope, parse_page_request, slice_list
from verifyctl.emulator.store import child_scope
from verifyctl.emulator.validation import integer_between, one_of, sid_of

FIELDS = (
    "sid",
    "account_sid",
    "service_sid",
    "entity_sid",
    "identity",
    "factor_sid",
    "date_created",
    "date_updated",
    "date_responded",
    "expiration_date",
    "status",
    "responded_reason",
    "details",
    "hidden_details",
    "metadata",
    "factor_type",
)
NOTIFICATION_FIELDS = (
    "sid",
    "account_sid",
    "service_sid",
    "entity_sid",
    "identity",
    "challenge_sid",
    "priority",
    "ttl",
    "date_created",
)
# The fields a push device signs, announced on fetch in the header the Verify Push SDKs read.
SIGNATURE_FIELDS = ("sid", "factor_sid", "details", "hidden_details")
SIGNATURE_FIELDS_HEADER = "Twilio-Verify-Signature-Fields"
DEFAULT_LIFETIME = 5 * 60
MAX_LIFETIME = 60 * 60
# Descending order pages over mirrored sequence numbers, so page tokens stay plain digits.
_MIRROR = 10**15


def challenge_url(ctx: Context, doc: dict[str, Any]) -> str:
    return entities.entity_url(ctx, doc["service_sid"], doc["identity"]) + f"/Challenges/{doc['sid']}"


def render(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    body = {name: doc.get(name) for name in FIELDS}
    url = challenge_url(ctx, doc)
    body["url"] = url
    body["links"] = {"notifications": f"{url}/Notifications"}
    return body


def is_pending(ctx: Context, doc: dict[str, Any]) -> bool:
    """Pending and not past its expiration date; an expired one is marked `expired` (and saved) on the way."""
    if doc["status"] != "pending":
        return False
    if ctx.now() >= doc["_expires_at"]:
        doc["status"] = "expired"
        doc["date_updated"] = iso(doc["_expires_at"])
        ctx.store.replace(ctx.account_sid, "challenge", doc["_scope"], doc["sid"], doc)
        return False
    return True


def _expiration(ctx: Context) -> float:
    raw = ctx.form.get("ExpirationDate")
    now = ctx.now()
    if raw is None:
        return now + DEFAULT_LIFETIME
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("ExpirationDate", "must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise invalid("ExpirationDate", "must carry a time zone (e.g. Z)")
    when = moment.timestamp()
    if not now < when <= now + MAX_LIFETIME:
        raise invalid("ExpirationDate", "must be in the future and at most 60 minutes after creation")
    return when


def _details(ctx: Context, factor_type: str) -> dict[str, Any] | None:
    message = ctx.form.get("Details.Message")
    raw_fields = ctx.form.all("Details.Fields")
    if factor_type == "push" and not message:
        raise invalid("Details.Message", "required for push challenges")
    if message is None and not raw_fields:
        return None
    if message is not None and len(message) > 256:
        raise invalid("Details.Message", "must be at most 256 characters")
    if len(raw_fields) > 20:
        raise invalid("Details.Fields", "at most 20 fields")
    fields = []
    for raw in raw_fields:
        try:
            field = json.loads(raw)
        except ValueError:
            raise invalid("Details.Fields", "each field is a JSON object with a label and a value") from None
        if not isinstance(field, dict) or set(field) != {"label", "value"}:
            raise invalid("Details.Fields", "each field is a JSON object with a label and a value")
        if not isinstance(field["label"], str) or len(field["label"]) > 36:
            raise invalid("Details.Fields", "a label is a string of at most 36 characters")
        if not isinstance(field["value"], str) or len(field["value"]) > 128:
            raise invalid("Details.Fields", "a value is a string of at most 128 characters")
        fields.append({"label": field["label"], "value": field["value"]})
    return {"message": message, "date": ctx.now_iso(), "fields": fields}


def _totp_code(raw: str) -> str:
    if not 3 <= len(raw) <= 8:
        raise invalid("AuthPayload", "a TOTP code is 3 to 8 characters")
    return raw


def _respond(ctx: Context, doc: dict[str, Any], status: str) -> None:
    doc["status"] = status
    doc["date_responded"] = ctx.now_iso()


def create_challenge(ctx: Context) -> Result:
    entity = entities.entity_or_404(ctx)
    factor_sid = sid_of("YF")("FactorSid", ctx.form.require("FactorSid"))
    factor = factors.load(ctx, entity["service_sid"], entity["identity"], str(factor_sid))
    if factor is None:
        raise not_found(
            f"/v2/Services/{entity['service_sid']}/Entities/{entity['identity']}/Factors/{factor_sid}"
        )
    if factor["factor_type"] == "passkeys":
        raise invalid_request(
            "passkeys challenges are created with POST /v2/Services/{sid}/Passkeys/Challenges"
        )
    if factor["status"] != "verified":
        raise factor_unverified()
    expires_at = _expiration(ctx)
    hidden = ctx.form.get("HiddenDetails")
    now = ctx.now_iso()
    scope = entities.entity_scope(entity["service_sid"], entity["identity"])
    doc: dict[str, Any] = {
        "sid": new_sid("YC"),
        "account_sid": ctx.account_sid,
        "service_sid": entity["service_sid"],
        "entity_sid": entity["sid"],
        "identity": entity["identity"],
        "factor_sid": factor["sid"],
        "date_created": now,
        "date_updated": now,
        "date_responded": None,
        "expiration_date": iso(expires_at),
        "status": "pending",
        "responded_reason": "none",
        "details": _details(ctx, factor["factor_type"]),
        "hidden_details": factors.string_map("HiddenDetails", hidden) if hidden is not None else None,
        "metadata": None,
        "factor_type": factor["factor_type"],
        "_expires_at": expires_at,
        "_scope": scope,
    }
    auth_payload = ctx.form.get("AuthPayload")
    if auth_payload is not None:
        if factor["factor_type"] != "totp":
            raise invalid("AuthPayload", "only TOTP challenges take an AuthPayload on creation")
        if factors.totp_matches(ctx, factor, _totp_code(auth_payload)):
            _respond(ctx, doc, "approved")
    ctx.store.insert(ctx.account_sid, "challenge", scope, doc["sid"], doc)
    return Result(201, render(ctx, doc))


def _challenge_or_404(ctx: Context, sid: str) -> dict[str, Any]:
    entity = entities.entity_or_404(ctx)
    scope = entities.entity_scope(entity["service_sid"], entity["identity"])
    doc = ctx.store.get(ctx.account_sid, "challenge", scope, sid)
    if doc is None:
        raise not_found(ctx.path)
    return doc


def fetch_challenge(ctx: Context) -> Result:
    doc = _challenge_or_404(ctx, ctx.params["id"])
    is_pending(ctx, doc)
    headers = {SIGNATURE_FIELDS_HEADER: ",".join(SIGNATURE_FIELDS)} if doc["factor_type"] == "push" else {}
    return Result(200, render(ctx, doc), headers)


def _verify_push(ctx: Context, doc: dict[str, Any], factor: dict[str, Any], token: str) -> str:
    """The status a push AuthPayload signs: `approved` or `denied`.

    Twilio's API reference does not publish the payload format. The Verify Push SDKs fetch the challenge,
    read the names of the fields to sign from the `Twilio-Verify-Signature-Fields` response header, and
    send a compact JWS (ES256, signed with the factor's private key) whose claims are those fields, with
    the values the API answered, plus the chosen `status`. The emulator announces SIGNATURE_FIELDS
    (`sid` binds the signature to this challenge) and requires every one of them, equal to the
    challenge's own, and `status`.
    """
    key = factors.push_key(factor)
    try:
        claims = signatures.verify_jws_es256(key, token)
    except signatures.BadSignature as error:
        raise challenge_verification_failed(str(error)) from None
    status = claims.get("status")
    if status not in ("approved", "denied"):
        raise challenge_verification_failed("the signed status must be approved or denied")
    answered = render(ctx, doc)
    for name in SIGNATURE_FIELDS:
        if name not in claims:
            raise challenge_verification_failed(f"the signed payload has no {name}")
        if claims[name] != answered[name]:
            raise challenge_verification_failed(f"the signed {name} differs from the challenge's")
    return str(status)


def update_challenge(ctx: Context) -> Result:
    doc = _challenge_or_404(ctx, ctx.params["id"])
    if doc["status"] == "pending" and not is_pending(ctx, doc):
        # Answered (not raised) so that the challenge's `expired` status survives the transaction.
        error = challenge_expired()
        return Result(error.status, error.body())
    if doc["status"] != "pending":
        raise invalid_request(f"the challenge is {doc['status']}, no longer pending")
    metadata = ctx.form.get("Metadata")
    if metadata is not None:
        doc["metadata"] = factors.string_map("Metadata", metadata)
    factor = factors.load(ctx, doc["service_sid"], doc["identity"], doc["factor_sid"])
    if factor is None:
        raise invalid_request("the challenge's factor was deleted")
    auth_payload = ctx.form.get("AuthPayload")
    if auth_payload is not None:
        if doc["factor_type"] == "totp":
            # A wrong code leaves the challenge pending (the caller may try again until it expires).
            if factors.totp_matches(ctx, factor, _totp_code(auth_payload)):
                _respond(ctx, doc, "approved")
        else:
            if len(auth_payload) > 5456:
                raise invalid("AuthPayload", "must be at most 5456 characters")
            _respond(ctx, doc, _verify_push(ctx, doc, factor, auth_payload))
    doc["date_updated"] = ctx.now_iso()
    ctx.store.replace(ctx.account_sid, "challenge", doc["_scope"], doc["sid"], doc)
    return Result(200, render(ctx, doc))


def list_challenges(ctx: Context) -> Result:
    entity = entities.entity_or_404(ctx)
    query = ctx.query
    filters: dict[str, str] = {}
    factor_sid = query.get("FactorSid")
    if factor_sid is not None:
        filters["FactorSid"] = str(sid_of("YF")("FactorSid", factor_sid))
    status = query.get("Status")
    if status is not None:
        filters["Status"] = str(one_of("pending", "expired", "approved", "denied")("Status", status))
    order = query.get("Order")
    if order is not None:
        filters["Order"] = str(one_of("asc", "desc")("Order", order))
    request = parse_page_request(query)
    scope = entities.entity_scope(entity["service_sid"], entity["identity"])
    rows: list[tuple[int, dict[str, Any]]] = []
    seq = 0
    while True:
        batch, more = ctx.store.page(ctx.account_sid, "challenge", scope, 1000, after=seq)
        for row_seq, doc in batch:
            is_pending(ctx, doc)
            if factor_sid is not None and doc["factor_sid"] != factor_sid:
                continue
            if status is not None and doc["status"] != status:
                continue
            rows.append((row_seq, doc))
        if not more:
            break
        seq = batch[-1][0]
    if order == "desc":
        rows = [(_MIRROR - row_seq, doc) for row_seq, doc in reversed(rows)]
    chosen, more = slice_list(rows, request)
    items = [render(ctx, doc) for _, doc in chosen]
    seqs = [row_seq for row_seq, _ in chosen]
    body = envelope("challenges", items, seqs, more, request, ctx.url(ctx.path), filters)
    return Result(200, body)


def create_notification(ctx: Context) -> Result:
    doc = _challenge_or_404(ctx, ctx.params["challenge_sid"])
    raw_ttl = ctx.form.get("Ttl")
    ttl = integer_between(0, 300)("Ttl", raw_ttl) if raw_ttl is not None else 300
    if doc["factor_type"] != "push":
        raise invalid_request("notifications are sent for push challenges only")
    if not is_pending(ctx, doc):
        raise invalid_request(f"the challenge is {doc['status']}, no longer pending")
    notification = {
        "sid": new_sid("NT"),
        "account_sid": ctx.account_sid,
        "service_sid": doc["service_sid"],
        "entity_sid": doc["entity_sid"],
        "identity": doc["identity"],
        "challenge_sid": doc["sid"],
        # The spec: "For `push` Challenges it's always `high`".
        "priority": "high",
        "ttl": ttl,
        "date_created": ctx.now_iso(),
    }
    scope = child_scope(doc["_scope"], doc["sid"])
    ctx.store.insert(ctx.account_sid, "notification", scope, notification["sid"], notification)
    return Result(201, {name: notification[name] for name in NOTIFICATION_FIELDS})
