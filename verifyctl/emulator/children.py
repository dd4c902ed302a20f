"""A service's configuration children: rate limits, buckets, messaging configurations and webhooks."""

from __future__ import annotations

from typing import Any

from verifyctl.emulator.collection import Collection, Param
from verifyctl.emulator.context import Context
from verifyctl.emulator.errors import invalid
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
    create_params=(("UniqueName", "unique_name", nonempty_text), ("Description", "description", text)),
    required=("UniqueName",),
    update_params=(("Description", "description", text),),
    defaults=lambda: {"unique_name": None, "description": None},
    sid_prefix="RK",
    unique=("UniqueName", "unique_name"),
    links=lambda instance_url: {"buckets": f"{instance_url}/Buckets"},
)

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
)


def _event_types(ctx: Context, doc: dict[str, Any], creating: bool) -> None:
    # EventTypes is a repeated form key, so `apply_params` (last value wins) cannot read it.
    if "EventTypes" not in ctx.form:
        return
    values = [v for v in ctx.form.all("EventTypes") if v != ""]
    if not values or any(v not in EVENT_TYPES for v in values):
        raise invalid("EventTypes", f"each must be one of {', '.join(EVENT_TYPES)}")
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
