"""Verification Attempts: one record per send, `GET /v2/Attempts[/{Sid}]` with filters, and the Summary."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from verifyctl.emulator.carriers import carrier_of
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.countries import country_of
from verifyctl.emulator.errors import invalid, not_found
from verifyctl.emulator.pagination import envelope, parse_page_request, slice_list
from verifyctl.emulator.validation import one_of, sid_of

KIND = "attempt"
# The spec's Attempts channel enum (`verification_attempt_enum_channels`); `sna` is not in it, so SNA
# verifications (which deliver no message) leave no attempt record.
CHANNELS = ("sms", "call", "email", "whatsapp", "rbm")
FIELDS = (
    "sid",
    "account_sid",
    "service_sid",
    "verification_sid",
    "date_created",
    "date_updated",
    "conversion_status",
    "channel",
    "price",
    "channel_data",
)
_ALL = 2**31 - 1
_SID = re.compile(r"^VL[0-9a-fA-F]{32}$")


def record(ctx: Context, verification: dict[str, Any], attempt_sid: str, channel: str, locale: str) -> None:
    """Store the attempt of one send (its SID is the verification's send_code_attempts `attempt_sid`)."""
    if channel not in CHANNELS:
        return
    now = ctx.now_iso()
    to = verification["to"]
    # The emulator delivers every message at once; the spec's status enums name these end states. Keys in
    # the order of the spec's example.
    delivery = ("call_status", "completed") if channel == "call" else ("message_status", "delivered")
    channel_data: dict[str, Any] = {
        "verification_sid": verification["sid"],
        "to": to,
        "status": "unconfirmed",
        delivery[0]: delivery[1],
        "error_code": None,
        "country": country_of(to),
        "code_length": len(verification["_code"]),
        "locale": locale,
    }
    if channel != "email":
        # The spec's example ends with the carrier's codes and name, which a phone number has.
        carrier = carrier_of(to)
        channel_data.update(mcc=carrier.mcc, mnc=carrier.mnc, carrier=carrier.name)
    doc = {
        "sid": attempt_sid,
        "account_sid": ctx.account_sid,
        "service_sid": verification["service_sid"],
        "verification_sid": verification["sid"],
        "date_created": now,
        "date_updated": now,
        "conversion_status": "unconverted",
        "channel": channel,
        # Emulated delivery costs nothing; the shape is the spec example's {value, currency}.
        "price": {"value": "0.00", "currency": "usd"},
        "channel_data": channel_data,
    }
    ctx.store.insert(ctx.account_sid, KIND, "", attempt_sid, doc, alt=verification["sid"])


def convert(ctx: Context, verification: dict[str, Any]) -> None:
    """Mark every attempt of an approved verification `converted` (the user proved the code)."""
    now = ctx.now_iso()
    for sent in verification["send_code_attempts"]:
        doc = ctx.store.get(ctx.account_sid, KIND, "", sent["attempt_sid"])
        if doc is None:
            continue
        doc["conversion_status"] = "converted"
        doc["channel_data"]["status"] = "confirmed"
        doc["date_updated"] = now
        ctx.store.replace(ctx.account_sid, KIND, "", doc["sid"], doc)


def _attempt_status(ctx: Context, doc: dict[str, Any]) -> str:
    """`confirmed`, `unconfirmed`, or `expired` once its verification can no longer be approved."""
    status = str(doc["channel_data"]["status"])
    if status != "unconfirmed":
        return status
    verification = ctx.store.get(ctx.account_sid, "verification", doc["service_sid"], doc["verification_sid"])
    if verification is None or verification["status"] != "pending":
        return "expired"
    return "expired" if ctx.now() >= verification["_expires_at"] else status


def _render(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    body = {name: doc.get(name) for name in FIELDS}
    body["channel_data"] = {**doc["channel_data"], "status": _attempt_status(ctx, doc)}
    body["url"] = ctx.url(f"/v2/Attempts/{doc['sid']}")
    return body


def _date(name: str, raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(name, "an ISO 8601 date-time, yyyy-MM-dd'T'HH:mm:ss'Z'") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _created(doc: dict[str, Any]) -> datetime:
    return _date("date_created", doc["date_created"])


Test = Callable[[dict[str, Any]], bool]


def _test(name: str, value: str) -> Test:
    """The predicate of one filter, after checking its value (a bad value is 400/60200)."""
    if name == "DateCreatedAfter":
        after = _date(name, value)
        return lambda doc: _created(doc) > after
    if name == "DateCreatedBefore":
        before = _date(name, value)
        return lambda doc: _created(doc) < before
    if name == "ChannelData.To":
        return lambda doc: bool(doc["channel_data"]["to"] == value)
    if name == "DestinationPrefix":
        return lambda doc: str(doc["channel_data"]["to"]).startswith(value)
    if name == "Country":
        return lambda doc: bool(doc["channel_data"]["country"] == value.upper())
    if name == "Channel":
        one_of(*CHANNELS)(name, value)
        return lambda doc: bool(doc["channel"] == value)
    if name == "VerifyServiceSid":
        sid_of("VA")(name, value)
        return lambda doc: bool(doc["service_sid"] == value)
    if name == "VerificationSid":
        sid_of("VE")(name, value)
        return lambda doc: bool(doc["verification_sid"] == value)
    # Status: the enum is lower-case; the description spells the values CONVERTED and UNCONVERTED.
    wanted = one_of("converted", "unconverted")(name, value.lower())
    return lambda doc: bool(doc["conversion_status"] == wanted)


def _filters(ctx: Context, names: tuple[str, ...]) -> tuple[dict[str, str], list[Test]]:
    """The filters sent (to repeat in page URLs) and their predicates."""
    sent = {name: value for name in names if (value := ctx.query.get(name)) not in (None, "")}
    return sent, [_test(name, value) for name, value in sent.items()]


Row = tuple[int, dict[str, Any]]


def _matching(ctx: Context, names: tuple[str, ...]) -> tuple[dict[str, str], list[Row]]:
    sent, tests = _filters(ctx, names)
    rows, _ = ctx.store.page(ctx.account_sid, KIND, "", _ALL)
    return sent, [(seq, doc) for seq, doc in rows if all(test(doc) for test in tests)]


_LIST_FILTERS = (
    "DateCreatedAfter",
    "DateCreatedBefore",
    "ChannelData.To",
    "Country",
    "Channel",
    "VerifyServiceSid",
    "VerificationSid",
    "Status",
)
_SUMMARY_FILTERS = (
    "VerifyServiceSid",
    "DateCreatedAfter",
    "DateCreatedBefore",
    "Country",
    "Channel",
    "DestinationPrefix",
)


def list_attempts(ctx: Context) -> Result:
    request = parse_page_request(ctx.query)
    sent, rows = _matching(ctx, _LIST_FILTERS)
    chosen, more = slice_list(rows, request)
    items = [_render(ctx, doc) for _, doc in chosen]
    seqs = [seq for seq, _ in chosen]
    return Result(200, envelope("attempts", items, seqs, more, request, ctx.url(ctx.path), sent))


def fetch_attempt(ctx: Context) -> Result:
    sid = ctx.params["id"]
    doc = ctx.store.get(ctx.account_sid, KIND, "", sid) if _SID.match(sid) else None
    if doc is None:
        raise not_found(ctx.path)
    return Result(200, _render(ctx, doc))


def summary(ctx: Context) -> Result:
    _, rows = _matching(ctx, _SUMMARY_FILTERS)
    total = len(rows)
    converted = sum(1 for _, doc in rows if doc["conversion_status"] == "converted")
    # The spec's example: 9 of 11 -> "81.818181818" (a string, at most 9 decimals); null with no attempts.
    rate = None if total == 0 else f"{converted * 100 / total:.9f}".rstrip("0").rstrip(".")
    body = {
        "total_attempts": total,
        "total_converted": converted,
        "total_unconverted": total - converted,
        "conversion_rate_percentage": rate,
        "url": ctx.url("/v2/Attempts/Summary"),
    }
    return Result(200, body)
