"""AccessTokens (`/Services/{sid}/AccessTokens`): enrollment tokens, HS256 JWTs under a per-account key."""

from __future__ import annotations

import secrets
from typing import Any

from verifyctl.emulator import entities, signatures
from verifyctl.emulator.clock import new_sid
from verifyctl.emulator.collection import service_or_404
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import not_found
from verifyctl.emulator.validation import integer_between, one_of

FIELDS = (
    "sid",
    "account_sid",
    "service_sid",
    "entity_identity",
    "factor_type",
    "factor_friendly_name",
    "token",
)
DEFAULT_TTL = 60


def signing_key(ctx: Context) -> bytes:
    """The account's token key: made on first use and kept in the store, so tokens survive a restart."""
    name = f"access_token_key:{ctx.account_sid}"
    key = ctx.store.setting(name)
    if key is None:
        key = secrets.token_hex(32)
        ctx.store.set_setting(name, key)
    return bytes.fromhex(key)


def render(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    body = {name: doc.get(name) for name in FIELDS}
    body["url"] = ctx.url(f"/v2/Services/{doc['service_sid']}/AccessTokens/{doc['sid']}")
    body["ttl"] = doc["ttl"]
    body["date_created"] = doc["date_created"]
    return body


def create_access_token(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    identity = entities.check_identity("Identity", ctx.form.require("Identity"))
    factor_type = one_of("push")("FactorType", ctx.form.require("FactorType"))
    raw_ttl = ctx.form.get("Ttl")
    ttl = integer_between(60, 300)("Ttl", raw_ttl) if raw_ttl is not None else DEFAULT_TTL
    now = ctx.now()
    sid = new_sid("YK")
    claims = {
        "iss": service_sid,
        "sub": ctx.account_sid,
        "jti": sid,
        "iat": int(now),
        "exp": int(now) + ttl,
        "identity": identity,
        "factor_type": factor_type,
    }
    doc = {
        "sid": sid,
        "account_sid": ctx.account_sid,
        "service_sid": service_sid,
        "entity_identity": identity,
        "factor_type": factor_type,
        "factor_friendly_name": ctx.form.get("FactorFriendlyName"),
        "token": signatures.hs256_jwt(signing_key(ctx), claims, kid=service_sid),
        "ttl": ttl,
        "date_created": ctx.now_iso(),
        "_expires_at": now + ttl,
    }
    ctx.store.insert(ctx.account_sid, "access_token", service_sid, sid, doc)
    return Result(201, render(ctx, doc))


def fetch_access_token(ctx: Context) -> Result:
    service_sid = ctx.params["service_sid"]
    service_or_404(ctx, service_sid)
    doc = ctx.store.get(ctx.account_sid, "access_token", service_sid, ctx.params["id"])
    # Like Twilio, a token is gone once its ttl has passed.
    if doc is None or ctx.now() >= doc["_expires_at"]:
        raise not_found(ctx.path)
    return Result(200, render(ctx, doc))
