"""The Verify workflow: send a code (create a verification), check it, fetch, cancel or approve it."""

from __future__ import annotations

import ipaddress
import json
import secrets
from typing import Any

from verifyctl.emulator import attempts, carriers, ratelimits
from verifyctl.emulator.clock import iso, new_sid
from verifyctl.emulator.collection import service_or_404
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import (
    MAX_CHECK_ATTEMPTS,
    MAX_SEND_ATTEMPTS,
    MISSING_PARAMETER,
    PSD2_NO_CALL,
    PSD2_PARAMS_REQUIRED,
    ApiError,
    invalid,
    missing,
    not_found,
)
from verifyctl.emulator.locales import message_text, resolve_locale
from verifyctl.emulator.validation import boolean, one_of, recipient, sid_of

# The spec's `Channel`: "One of: email, sms, whatsapp, call, sna or auto".
CHANNELS = ("sms", "call", "email", "whatsapp", "sna", "auto")
# Verify looks the carrier up to try Silent Network Auth: the spec's `sna` and `auto` examples carry
# `lookup.carrier`, its other channels' examples an empty `lookup`.
LOOKUP_CHANNELS = ("sna", "auto")
VALIDITY_SECONDS = 10 * 60
MAX_SENDS = 5
MAX_CHECKS = 5
DO_NOT_SHARE = ". Don't share this code with anyone; our employees will never ask for the code."

VERIFICATION_FIELDS = (
    "sid",
    "service_sid",
    "account_sid",
    "to",
    "channel",
    "status",
    "valid",
    "lookup",
    "amount",
    "payee",
    "send_code_attempts",
    "date_created",
    "date_updated",
    "sna",
)
CHECK_FIELDS = (
    "sid",
    "service_sid",
    "account_sid",
    "to",
    "channel",
    "status",
    "valid",
    "amount",
    "payee",
    "date_created",
    "date_updated",
)
# Twilio's examples spell the attempt channel upper-case for these, lower-case for the others.
_ATTEMPT_CHANNEL = {"sms": "SMS", "call": "CALL", "email": "EMAIL"}


def _render(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    body = {name: doc.get(name) for name in VERIFICATION_FIELDS}
    body["url"] = ctx.url(f"/v2/Services/{doc['service_sid']}/Verifications/{doc['sid']}")
    return body


def _render_check(doc: dict[str, Any]) -> dict[str, Any]:
    body = {name: doc.get(name) for name in CHECK_FIELDS}
    body["sna_attempts_error_codes"] = []
    return body


# twilio.com/docs/api/errors/60519 "SNA Verification Result Pending": a Verification Check "performed on a
# Verification that is still in progress". The emulator has no carrier, so an SNA check always finds this.
SNA_RESULT_PENDING = 60519


def _render_sna_check(doc: dict[str, Any]) -> dict[str, Any]:
    """An SNA verification checked (no code needed): still pending, with the error of each SNA attempt."""
    body = _render_check(doc)
    body["sna_attempts_error_codes"] = [
        {"attempt_sid": sent["attempt_sid"], "code": SNA_RESULT_PENDING}
        for sent in doc["send_code_attempts"]
        if sent["channel"] == "sna"
    ]
    return body


def _is_live(ctx: Context, doc: dict[str, Any] | None) -> bool:
    """Pending and within its validity window; an expired one is marked `expired` on the way."""
    if doc is None or doc["status"] != "pending":
        return False
    if ctx.now() >= doc["_expires_at"]:
        doc["status"] = "expired"
        ctx.store.replace(ctx.account_sid, "verification", doc["service_sid"], doc["sid"], doc)
        return False
    return True


def _check_optional_params(ctx: Context, service: dict[str, Any]) -> None:
    form = ctx.form
    custom_code = form.get("CustomCode")
    if custom_code is not None:
        if not service["custom_code_enabled"]:
            raise invalid("CustomCode", "custom codes are not enabled for this service")
        if not 4 <= len(custom_code) <= 10:
            raise invalid("CustomCode", "must be between 4 and 10 characters")
    for psd2_param in ("Amount", "Payee"):
        if form.get(psd2_param) is not None and not service["psd2_enabled"]:
            raise invalid(psd2_param, "PSD2 is not enabled for this service")
    if form.get("TemplateSid") is not None:
        sid_of("HJ")("TemplateSid", form.get("TemplateSid") or "")
    if form.get("RiskCheck") is not None:
        one_of("enable", "disable")("RiskCheck", form.get("RiskCheck") or "")
    if form.get("EnableSnaClientToken") is not None:
        boolean("EnableSnaClientToken", form.get("EnableSnaClientToken") or "")
    for json_param in ("RateLimits", "ChannelConfiguration", "Tags", "TemplateCustomSubstitutions"):
        raw = form.get(json_param)
        if raw is not None:
            try:
                parsed = json.loads(raw)
            except ValueError:
                raise invalid(json_param, "must be a JSON object") from None
            if not isinstance(parsed, dict):
                raise invalid(json_param, "must be a JSON object")


def _check_psd2(ctx: Context, service: dict[str, Any], channel: str) -> None:
    """A Psd2Enabled service refuses the call channel (60214) and a send without Amount and Payee (60206)."""
    if not service["psd2_enabled"]:
        return
    if channel == "call":
        raise ApiError(400, PSD2_NO_CALL, "Call channel is not supported when using PSD2")
    if not ctx.form.get("Amount") or not ctx.form.get("Payee"):
        raise ApiError(400, PSD2_PARAMS_REQUIRED, "'Amount' & 'Payee' params are required")


def _new_code(length: int) -> str:
    return str(secrets.randbelow(10**length)).zfill(length)


def _resolve_channel(ctx: Context, channel: str) -> str:
    """`auto` tries Silent Network Auth, then SMS (twilio.com/docs/verify/automatic-channel-selection).

    Verify decides from the device's IP whether SNA can work; the emulator, which has no carrier to ask,
    takes SNA when a `DeviceIp` is given and SMS otherwise.
    """
    device_ip = ctx.form.get("DeviceIp") or None
    if device_ip is not None:
        try:
            ipaddress.ip_address(device_ip)
        except ValueError:
            # The spec: "If provided, it has to be a valid IPv4 or IPv6 address."
            raise invalid("DeviceIp", "must be an IPv4 or IPv6 address") from None
    if channel != "auto":
        return channel
    return "sna" if device_ip else "sms"


def _sna(ctx: Context, verification_sid: str, channel: str) -> dict[str, str] | None:
    """The `sna` object of an SNA send: the URL a device would open (not served: there is no carrier)."""
    if channel != "sna":
        return None
    return {"url": ctx.url(f"/__emulator__/sna/{verification_sid}")}


def _record_message(
    ctx: Context, service: dict[str, Any], doc: dict[str, Any], channel: str, locale: str
) -> None:
    name = ctx.form.get("CustomFriendlyName") or service["friendly_name"]
    body = message_text(locale, name, doc["_code"])
    # The warning's text is the emulator's English one: appended to English messages only.
    if channel == "sms" and service["do_not_share_warning_enabled"] and locale.startswith("en"):
        body += DO_NOT_SHARE
    message = {
        "to": doc["to"],
        "channel": channel,
        "body": body,
        "service_sid": doc["service_sid"],
        "verification_sid": doc["sid"],
        "date_created": ctx.now_iso(),
    }
    ctx.store.add_message(ctx.account_sid, message)


def create_verification(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service = service_or_404(ctx, service_sid)
    to = ctx.form.require("To")
    requested_channel = ctx.form.require("Channel")
    if requested_channel not in CHANNELS:
        raise invalid("Channel", f"must be one of {', '.join(CHANNELS)}")
    recipient(requested_channel, to)
    channel = _resolve_channel(ctx, requested_channel)
    _check_optional_params(ctx, service)
    _check_psd2(ctx, service, channel)
    ratelimits.enforce(ctx, service_sid, to)
    locale = resolve_locale(ctx.form.get("Locale"), channel, to)
    now = ctx.now()
    attempt = {
        "time": iso(now),
        "channel": _ATTEMPT_CHANNEL.get(channel, channel),
        "attempt_sid": new_sid("VL"),
    }
    doc = ctx.store.latest_by_alt(ctx.account_sid, "verification", service_sid, to)
    if doc is not None and _is_live(ctx, doc):
        # A resend within the validity window: same verification, same code.
        if len(doc["send_code_attempts"]) >= MAX_SENDS:
            raise ApiError(429, MAX_SEND_ATTEMPTS, "Max send attempts reached")
        doc["send_code_attempts"].append(attempt)
        doc["channel"] = channel
        doc["sna"] = _sna(ctx, doc["sid"], channel)
        if requested_channel in LOOKUP_CHANNELS:
            doc["lookup"] = carriers.lookup(to)
        doc["date_updated"] = iso(now)
        ctx.store.replace(ctx.account_sid, "verification", service_sid, doc["sid"], doc)
    else:
        sid = new_sid("VE")
        doc = {
            "sid": sid,
            "service_sid": service_sid,
            "account_sid": ctx.account_sid,
            "to": to,
            "channel": channel,
            "status": "pending",
            "valid": False,
            "lookup": carriers.lookup(to) if requested_channel in LOOKUP_CHANNELS else {},
            "amount": ctx.form.get("Amount"),
            "payee": ctx.form.get("Payee"),
            "send_code_attempts": [attempt],
            "date_created": iso(now),
            "date_updated": iso(now),
            "sna": _sna(ctx, sid, channel),
            "_code": ctx.form.get("CustomCode") or _new_code(service["code_length"]),
            "_checks": 0,
            "_expires_at": now + VALIDITY_SECONDS,
        }
        ctx.store.insert(ctx.account_sid, "verification", service_sid, doc["sid"], doc, alt=to)
    if channel != "sna":
        _record_message(ctx, service, doc, channel, locale)
    attempts.record(ctx, doc, attempt["attempt_sid"], channel, locale)
    return Result(201, _render(ctx, doc))


def _live_or_404(ctx: Context) -> dict[str, Any]:
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    doc = ctx.store.get(ctx.account_sid, "verification", service_sid, ctx.params["id"])
    if doc is None or not _is_live(ctx, doc):
        raise not_found(ctx.path)
    return doc


def fetch_verification(ctx: Context) -> Result:
    return Result(200, _render(ctx, _live_or_404(ctx)))


def update_verification(ctx: Context) -> Result:
    status = ctx.form.require("Status")
    if status not in ("canceled", "approved"):
        raise invalid("Status", "must be canceled or approved")
    doc = _live_or_404(ctx)
    doc["status"] = status
    doc["valid"] = status == "approved"
    doc["date_updated"] = ctx.now_iso()
    ctx.store.replace(ctx.account_sid, "verification", doc["service_sid"], doc["sid"], doc)
    if status == "approved":
        attempts.convert(ctx, doc)
    return Result(200, _render(ctx, doc))


def check_verification(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    code = ctx.form.get("Code") or None
    if code is not None and not 4 <= len(code) <= 10:
        raise invalid("Code", "must be between 4 and 10 characters")
    verification_sid = ctx.form.get("VerificationSid")
    to = ctx.form.get("To")
    if verification_sid:
        sid_of("VE")("VerificationSid", verification_sid)
        doc = ctx.store.get(ctx.account_sid, "verification", service_sid, verification_sid)
    elif to:
        doc = ctx.store.latest_by_alt(ctx.account_sid, "verification", service_sid, to)
    elif code is None:
        raise missing("Code")
    else:
        raise ApiError(
            400, MISSING_PARAMETER, "Missing required parameter To or VerificationSid in the post body"
        )
    live = doc is not None and _is_live(ctx, doc)
    if live and doc is not None and doc["channel"] == "sna":
        return Result(200, _render_sna_check(doc))
    if code is None:
        raise missing("Code")
    if doc is None or not live:
        raise not_found(ctx.path)
    now = ctx.now_iso()
    if doc["_checks"] >= MAX_CHECKS:
        # Answered (not raised) so that the verification's end survives the transaction.
        doc["status"] = "max_attempts_reached"
        doc["date_updated"] = now
        ctx.store.replace(ctx.account_sid, "verification", service_sid, doc["sid"], doc)
        error = ApiError(429, MAX_CHECK_ATTEMPTS, "Max check attempts reached")
        return Result(error.status, error.body())
    if secrets.compare_digest(code.encode(), doc["_code"].encode()):
        doc["status"] = "approved"
        doc["valid"] = True
        attempts.convert(ctx, doc)
    else:
        doc["_checks"] += 1
    doc["date_updated"] = now
    ctx.store.replace(ctx.account_sid, "verification", service_sid, doc["sid"], doc)
    return Result(200, _render_check(doc))
