"""Entities (`/Services/{sid}/Entities`): the users that own factors and challenges, addressed by identity."""

from __future__ import annotations

import re
from typing import Any

from verifyctl.emulator.clock import new_sid
from verifyctl.emulator.collection import service_or_404
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import invalid, not_found
from verifyctl.emulator.pagination import envelope, parse_page_request
from verifyctl.emulator.store import child_scope

# The spec: "between 8 and 64 characters ... can only contain dash (-) separated alphanumeric characters".
_IDENTITY = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")
FIELDS = ("sid", "identity", "account_sid", "service_sid", "date_created", "date_updated")


def check_identity(name: str, identity: str) -> str:
    if not 8 <= len(identity) <= 64 or not _IDENTITY.match(identity):
        raise invalid(name, "8 to 64 dash-separated alphanumeric characters")
    return identity


def entity_scope(service_sid: str, identity: str) -> str:
    """Where an entity's factors, challenges and (below them) notifications live in the store."""
    return child_scope(service_sid, identity)


def entity_url(ctx: Context, service_sid: str, identity: str) -> str:
    return ctx.url(f"/v2/Services/{service_sid}/Entities/{identity}")


def find(ctx: Context, service_sid: str, identity: str) -> dict[str, Any] | None:
    return ctx.store.get(ctx.account_sid, "entity", service_sid, identity)


def entity_or_404(ctx: Context) -> dict[str, Any]:
    """The entity the path names (service and identity); 404 when either does not exist."""
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    entity = find(ctx, service_sid, ctx.params["identity"])
    if entity is None:
        raise not_found(ctx.path)
    return entity


def ensure(ctx: Context, service_sid: str, identity: str) -> dict[str, Any]:
    """The entity, created on the way when missing: Twilio creates it with the entity's first factor."""
    entity = find(ctx, service_sid, identity)
    if entity is None:
        check_identity("Identity", identity)
        now = ctx.now_iso()
        entity = {
            "sid": new_sid("YE"),
            "identity": identity,
            "account_sid": ctx.account_sid,
            "service_sid": service_sid,
            "date_created": now,
            "date_updated": now,
        }
        ctx.store.insert(ctx.account_sid, "entity", service_sid, identity, entity)
    return entity


def render(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    body = {name: doc.get(name) for name in FIELDS}
    url = entity_url(ctx, doc["service_sid"], doc["identity"])
    body["url"] = url
    body["links"] = {
        "factors": f"{url}/Factors",
        "new_factors": f"{url}/Factors",
        "challenges": f"{url}/Challenges",
    }
    return body


def create_entity(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    identity = check_identity("Identity", ctx.form.require("Identity"))
    if find(ctx, service_sid, identity) is not None:
        raise invalid("Identity", "an entity with this identity already exists in this service")
    return Result(201, render(ctx, ensure(ctx, service_sid, identity)))


def fetch_entity(ctx: Context) -> Result:
    return Result(200, render(ctx, entity_or_404(ctx)))


def delete_entity(ctx: Context) -> Result:
    entity = entity_or_404(ctx)
    # The store deletes everything below it too: factors, challenges, notifications.
    ctx.store.delete(ctx.account_sid, "entity", entity["service_sid"], entity["identity"])
    return Result(204)


def list_entities(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    request = parse_page_request(ctx.query)
    rows, more = ctx.store.page(
        ctx.account_sid,
        "entity",
        service_sid,
        request.size,
        after=request.after,
        before=request.before,
        offset=request.offset,
    )
    items = [render(ctx, doc) for _, doc in rows]
    return Result(
        200, envelope("entities", items, [seq for seq, _ in rows], more, request, ctx.url(ctx.path))
    )
