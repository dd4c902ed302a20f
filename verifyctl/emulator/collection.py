"""A kind of object under `/v2` (a collection) and the generic create, fetch, update, delete and list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verifyctl.emulator.clock import new_sid
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import invalid, not_found
from verifyctl.emulator.pagination import envelope, parse_page_request
from verifyctl.emulator.store import child_scope
from verifyctl.emulator.validation import Parser, apply_params

# (form parameter, dotted response field, parser)
Param = tuple[str, str, Parser]


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
