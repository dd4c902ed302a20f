"""A service's configuration children: rate limits, buckets, messaging configurations and webhooks."""

from __future__ import annotations

import re
from typing import Any

from verifyctl.emulator.collection import Collection, Param
from verifyctl.emulator.context import Context
from verifyctl.emulator.errors import (
    DUPLICATE_BUCKET_INTERVAL,
    DUPLICATE_MESSAGING_COUNTRY,
    DUPLICATE_RATE_LIMIT,
    INVALID_REQUEST,
    INVALID_UNIQUE_NAME,
    ApiError,
    missing,
)
from verifyctl.emulator.store import child_scope
from verifyctl.emulator.validation import (
    country,
    integer_between,
    nonempty_text,
    one_of,
    required_sid_of,
    text,
    url,
)

EVENT_TYPES = (
    "*",
    "factor.deleted",
    "factor.created",
    "factor.verified",
    "challenge.approved",
    "challenge.denied",
)


# Error 60209: "UniqueName only supports alphanumeric characters and -, _ or ."
_UNIQUE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
# Enough to read every sibling of a parent in one page.
_ALL = 2**31 - 1


def _unique_name(name: str, raw: str) -> str:
    if raw == "":
        raise missing(name)
    if not _UNIQUE_NAME.match(raw):
        raise ApiError(400, INVALID_UNIQUE_NAME, "UniqueName format is invalid")
    return raw


def _no_duplicate_rate_limit(ctx: Context, doc: dict[str, Any], creating: bool) -> None:
    # Twilio answers 60208 (not the generic 60200) for a second rate limit with the same UniqueName.
    if creating and ctx.store.latest_by_alt(
        ctx.account_sid, "rate_limit", ctx.params["service_sid"], doc["unique_name"]
    ):
        raise ApiError(400, DUPLICATE_RATE_LIMIT, "Rate limit with that UniqueName already exists")


RATE_LIMITS = Collection(
    kind="rate_limit",
    list_key="rate_limits",
    fields=(
        "sid",
        "service_sid",
        "account_sid",
        "unique_name",
        "description",
        "date_created",
        "date_updated",
    ),
    create_params=(("UniqueName", "unique_name", _unique_name), ("Description", "description", text)),
    required=("UniqueName",),
    update_params=(("Description", "description", text),),
    defaults=lambda: {"unique_name": None, "description": None},
    sid_prefix="RK",
    unique=("UniqueName", "unique_name"),
    links=lambda instance_url: {"buckets": f"{instance_url}/Buckets"},
    finish=_no_duplicate_rate_limit,
)


def _no_duplicate_interval(ctx: Context, doc: dict[str, Any], creating: bool) -> None:
    # One bucket per interval in a rate limit: Twilio answers 60211 for a second one (create or update).
    scope = child_scope(ctx.params["service_sid"], ctx.params["rate_limit_sid"])
    siblings, _ = ctx.store.page(ctx.account_sid, "bucket", scope, _ALL)
    own_sid = None if creating else ctx.params.get("id")
    if any(other["interval"] == doc["interval"] and other["sid"] != own_sid for _, other in siblings):
        raise ApiError(400, DUPLICATE_BUCKET_INTERVAL, "Bucket with the given Interval already exists")


_POSITIVE = integer_between(1, 2**31 - 1)
BUCKETS = Collection(
    kind="bucket",
    list_key="buckets",
    fields=(
        "sid",
        "rate_limit_sid",
        "service_sid",
        "account_sid",
        "max",
        "interval",
        "date_created",
        "date_updated",
    ),
    create_params=(("Max", "max", _POSITIVE), ("Interval", "interval", _POSITIVE)),
    required=("Max", "Interval"),
    update_params=(("Max", "max", _POSITIVE), ("Interval", "interval", _POSITIVE)),
    defaults=lambda: {"max": 0, "interval": 0},
    sid_prefix="BL",
    finish=_no_duplicate_interval,
)


def _no_duplicate_country(ctx: Context, doc: dict[str, Any], creating: bool) -> None:
    # Twilio answers 60213 for a second configuration of the same country ("Try updating it instead").
    if creating and ctx.store.get(
        ctx.account_sid, "messaging_configuration", ctx.params["service_sid"], doc["country"]
    ):
        raise ApiError(
            400, DUPLICATE_MESSAGING_COUNTRY, "A Messaging Configuration already exists for the given country"
        )


MESSAGING_CONFIGURATIONS = Collection(
    kind="messaging_configuration",
    list_key="messaging_configurations",
    fields=(
        "account_sid",
        "service_sid",
        "country",
        "messaging_service_sid",
        "date_created",
        "date_updated",
    ),
    create_params=(
        ("Country", "country", country),
        ("MessagingServiceSid", "messaging_service_sid", required_sid_of("MG")),
    ),
    required=("Country", "MessagingServiceSid"),
    update_params=(("MessagingServiceSid", "messaging_service_sid", required_sid_of("MG")),),
    update_required=("MessagingServiceSid",),
    defaults=lambda: {"country": None, "messaging_service_sid": None},
    id_param="Country",
    id_field="country",
    finish=_no_duplicate_country,
)


def _event_types(ctx: Context, doc: dict[str, Any], creating: bool) -> None:
    # EventTypes is a repeated form key, so `apply_params` (last value wins) cannot read it.
    if "EventTypes" not in ctx.form:
        return
    values = [v for v in ctx.form.all("EventTypes") if v != ""]
    if not values or any(v not in EVENT_TYPES for v in values):
        # Error 60306's page lists "Invalid Webhooks parameters: Invalid EventTypes".
        allowed = ", ".join(EVENT_TYPES)
        raise ApiError(400, INVALID_REQUEST, f"Invalid Request: EventTypes (each must be one of {allowed})")
    doc["event_types"] = values


_WEBHOOK_PARAMS: tuple[Param, ...] = (
    ("FriendlyName", "friendly_name", nonempty_text),
    ("WebhookUrl", "webhook_url", url),
    ("Status", "status", one_of("enabled", "disabled")),
    ("Version", "version", one_of("v1", "v2")),
)

WEBHOOKS = Collection(
    kind="webhook",
    list_key="webhooks",
    fields=(
        "sid",
        "service_sid",
        "account_sid",
        "friendly_name",
        "event_types",
        "status",
        "version",
        "webhook_url",
        "webhook_method",
        "date_created",
        "date_updated",
    ),
    create_params=_WEBHOOK_PARAMS,
    required=("FriendlyName", "EventTypes", "WebhookUrl"),
    update_params=_WEBHOOK_PARAMS,
    defaults=lambda: {
        "friendly_name": None,
        "event_types": [],
        "status": "enabled",
        "version": "v2",
        "webhook_url": None,
        "webhook_method": "POST",
    },
    sid_prefix="YW",
    finish=_event_types,
)
