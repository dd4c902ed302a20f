"""Services and their configuration children (rate limits, buckets, messaging configurations, webhooks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verifyctl.emulator.clock import new_sid
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import invalid, not_found
from verifyctl.emulator.pagination import envelope, parse_page_request
from verifyctl.emulator.store import child_scope
from verifyctl.emulator.validation import (
    Parser,
    apply_params,
    boolean,
    comma_list,
    country,
    integer_between,
    nonempty_text,
    one_of,
    required_sid_of,
    service_name,
    sid_of,
    text,
    url,
)

Param = tuple[str, str, Parser]

EVENT_TYPES = (
    "*",
    "factor.deleted",
    "factor.created",
    "factor.verified",
    "challenge.approved",
    "challenge.denied",
)


@dataclass(frozen=True)
class Collection:
    """A kind of object under `/v2`: how it is created, updated, stored and answered."""

    kind: str
    list_key: str
    # Response fields in the spec's order; `url` (and `links`) follow.
    fields: tuple[str, ...]
    create_params: tuple[Param, ...]
    required: tuple[str, ...]
    update_params: tuple[Param, ...]
    defaults: Callable[[], dict[str, Any]]
    sid_prefix: str = ""
    # For objects addressed by a parameter instead of a SID (messaging configurations by Country).
    id_param: str = ""
    id_field: str = "sid"
    # (parameter, field) that must be unique within the parent.
    unique: tuple[str, str] | None = None
    update_required: tuple[str, ...] = ()
    links: Callable[[str], dict[str, str]] | None = None
    # Applies what `apply_params` cannot: defaults that depend on other fields, repeated keys.
    finish: Callable[[Context, dict[str, Any], bool], None] = field(default=lambda ctx, doc, creating: None)


def _service_links(instance_url: str) -> dict[str, str]:
    return {
        "verification_checks": f"{instance_url}/VerificationCheck",
        "verifications": f"{instance_url}/Verifications",
        "rate_limits": f"{instance_url}/RateLimits",
        "messaging_configurations": f"{instance_url}/MessagingConfigurations",
        "entities": f"{instance_url}/Entities",
        "webhooks": f"{instance_url}/Webhooks",
        "access_tokens": f"{instance_url}/AccessTokens",
    }


def _service_defaults() -> dict[str, Any]:
    # Defaults of a new service (documented in the emulator README section).
    return {
        "code_length": 6,
        "lookup_enabled": False,
        "psd2_enabled": False,
        "skip_sms_to_landlines": False,
        "dtmf_input_required": False,
        "tts_name": None,
        "do_not_share_warning_enabled": False,
        "custom_code_enabled": False,
        "push": {"include_date": False, "apn_credential_sid": None, "fcm_credential_sid": None},
        "totp": {"issuer": None, "time_step": 30, "code_length": 6, "skew": 1},
        "default_template_sid": None,
        "whatsapp": {"msg_service_sid": None, "from": None},
        "passkeys": {
            "relying_party": {"id": None, "name": None, "origins": None},
            "authenticator_attachment": None,
            "discoverable_credentials": None,
            "user_verification": None,
        },
        "verify_event_subscription_enabled": False,
    }


def _default_totp_issuer(ctx: Context, doc: dict[str, Any], creating: bool) -> None:
    # The spec: the TOTP issuer "defaults to the service friendly name if not provided".
    if creating and "Totp.Issuer" not in ctx.form:
        doc["totp"]["issuer"] = doc["friendly_name"]


_PASSKEY_PREFERENCE = one_of("required", "preferred", "discouraged", clearable=True)

SERVICE_PARAMS: tuple[Param, ...] = (
    ("FriendlyName", "friendly_name", service_name),
    ("CodeLength", "code_length", integer_between(4, 10)),
    ("LookupEnabled", "lookup_enabled", boolean),
    ("SkipSmsToLandlines", "skip_sms_to_landlines", boolean),
    ("DtmfInputRequired", "dtmf_input_required", boolean),
    ("TtsName", "tts_name", text),
    ("Psd2Enabled", "psd2_enabled", boolean),
    ("DoNotShareWarningEnabled", "do_not_share_warning_enabled", boolean),
    ("CustomCodeEnabled", "custom_code_enabled", boolean),
    ("Push.IncludeDate", "push.include_date", boolean),
    ("Push.ApnCredentialSid", "push.apn_credential_sid", sid_of("CR")),
    ("Push.FcmCredentialSid", "push.fcm_credential_sid", sid_of("CR")),
    ("Totp.Issuer", "totp.issuer", text),
    ("Totp.TimeStep", "totp.time_step", integer_between(20, 60)),
    ("Totp.CodeLength", "totp.code_length", integer_between(3, 8)),
    ("Totp.Skew", "totp.skew", integer_between(0, 2)),
    ("DefaultTemplateSid", "default_template_sid", sid_of("HJ")),
    ("Whatsapp.MsgServiceSid", "whatsapp.msg_service_sid", sid_of("MG")),
    ("Whatsapp.From", "whatsapp.from", text),
    ("Passkeys.RelyingParty.Id", "passkeys.relying_party.id", text),
    ("Passkeys.RelyingParty.Name", "passkeys.relying_party.name", text),
    ("Passkeys.RelyingParty.Origins", "passkeys.relying_party.origins", comma_list),
    (
        "Passkeys.AuthenticatorAttachment",
        "passkeys.authenticator_attachment",
        one_of("platform", "cross-platform", "any", clearable=True),
    ),
    ("Passkeys.DiscoverableCredentials", "passkeys.discoverable_credentials", _PASSKEY_PREFERENCE),
    ("Passkeys.UserVerification", "passkeys.user_verification", _PASSKEY_PREFERENCE),
    ("VerifyEventSubscriptionEnabled", "verify_event_subscription_enabled", boolean),
)

SERVICES = Collection(
    kind="service",
    list_key="services",
    fields=(
        "sid",
        "account_sid",
        "friendly_name",
        "code_length",
        "lookup_enabled",
        "psd2_enabled",
        "skip_sms_to_landlines",
        "dtmf_input_required",
        "tts_name",
        "do_not_share_warning_enabled",
        "custom_code_enabled",
        "push",
        "totp",
        "default_template_sid",
        "whatsapp",
        "passkeys",
        "verify_event_subscription_enabled",
        "date_created",
        "date_updated",
    ),
    create_params=SERVICE_PARAMS,
    required=("FriendlyName",),
    update_params=SERVICE_PARAMS,
    defaults=_service_defaults,
    sid_prefix="VA",
    links=_service_links,
    finish=_default_totp_issuer,
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


# Scopes and rendering ----------------------------------------------------------------------------


def service_or_404(ctx: Context, service_sid: str) -> dict[str, Any]:
    service = ctx.store.get(ctx.account_sid, "service", "", service_sid)
    if service is None:
        raise not_found(ctx.path)
    return service


def _parent(ctx: Context) -> tuple[str, dict[str, str]]:
    """The scope of the addressed collection and its parents' SIDs; 404 when a parent does not exist."""
    parents: dict[str, str] = {}
    scope = ""
    service_sid = ctx.params.get("service_sid")
    if service_sid is not None:
        service_or_404(ctx, service_sid)
        parents["service_sid"] = service_sid
        scope = service_sid
    rate_limit_sid = ctx.params.get("rate_limit_sid")
    if rate_limit_sid is not None:
        if ctx.store.get(ctx.account_sid, "rate_limit", scope, rate_limit_sid) is None:
            raise not_found(ctx.path)
        parents["rate_limit_sid"] = rate_limit_sid
        scope = child_scope(scope, rate_limit_sid)
    return scope, parents


def _list_path(ctx: Context) -> str:
    return ctx.path if "id" not in ctx.params else ctx.path.rsplit("/", 1)[0]


def render(collection: Collection, ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    """The response body of one object: its fields in the spec's order, then `url` (and `links`)."""
    body = {name: doc.get(name) for name in collection.fields}
    instance_url = ctx.url(f"{_list_path(ctx)}/{doc[collection.id_field]}")
    body["url"] = instance_url
    if collection.links is not None:
        body["links"] = collection.links(instance_url)
    return body


# Operations --------------------------------------------------------------------------------------


def create(collection: Collection, ctx: Context) -> Result:
    scope, parents = _parent(ctx)
    for param in collection.required:
        ctx.form.require(param)
    now = ctx.now_iso()
    doc: dict[str, Any] = {"account_sid": ctx.account_sid, **parents, **collection.defaults()}
    apply_params(doc, ctx.form, collection.create_params)
    collection.finish(ctx, doc, True)
    object_id = doc[collection.id_field] if collection.id_param else new_sid(collection.sid_prefix)
    if not collection.id_param:
        doc = {"sid": object_id, **doc}
    elif ctx.store.get(ctx.account_sid, collection.kind, scope, object_id) is not None:
        raise invalid(collection.id_param, "a configuration for this country already exists in this service")
    alt = None
    if collection.unique is not None:
        param, name = collection.unique
        alt = doc[name]
        if ctx.store.latest_by_alt(ctx.account_sid, collection.kind, scope, alt) is not None:
            raise invalid(param, f"{alt!r} already exists in this service")
    doc["date_created"] = doc["date_updated"] = now
    ctx.store.insert(ctx.account_sid, collection.kind, scope, object_id, doc, alt=alt)
    return Result(201, render(collection, ctx, doc))


def _instance_id(collection: Collection, ctx: Context) -> str:
    raw = ctx.params["id"]
    # Countries are case-insensitive in the path, stored upper-case (or `all`).
    if collection.id_field == "country":
        return raw.upper() if raw.lower() != "all" else "all"
    return raw


def _load(collection: Collection, ctx: Context) -> tuple[str, str, dict[str, Any]]:
    scope, _ = _parent(ctx)
    object_id = _instance_id(collection, ctx)
    doc = ctx.store.get(ctx.account_sid, collection.kind, scope, object_id)
    if doc is None:
        raise not_found(ctx.path)
    return scope, object_id, doc


def fetch(collection: Collection, ctx: Context) -> Result:
    _, _, doc = _load(collection, ctx)
    return Result(200, render(collection, ctx, doc))


def update(collection: Collection, ctx: Context) -> Result:
    scope, object_id, doc = _load(collection, ctx)
    for param in collection.update_required:
        ctx.form.require(param)
    apply_params(doc, ctx.form, collection.update_params)
    collection.finish(ctx, doc, False)
    doc["date_updated"] = ctx.now_iso()
    ctx.store.replace(ctx.account_sid, collection.kind, scope, object_id, doc)
    return Result(200, render(collection, ctx, doc))


def delete(collection: Collection, ctx: Context) -> Result:
    scope, _ = _parent(ctx)
    if not ctx.store.delete(ctx.account_sid, collection.kind, scope, _instance_id(collection, ctx)):
        raise not_found(ctx.path)
    return Result(204)


def list_objects(collection: Collection, ctx: Context) -> Result:
    scope, _ = _parent(ctx)
    request = parse_page_request(ctx.query)
    rows, more = ctx.store.page(
        ctx.account_sid,
        collection.kind,
        scope,
        request.size,
        after=request.after,
        before=request.before,
        offset=request.offset,
    )
    items = [render(collection, ctx, doc) for _, doc in rows]
    body = envelope(
        collection.list_key, items, [seq for seq, _ in rows], more, request, ctx.url(_list_path(ctx))
    )
    return Result(200, body)
