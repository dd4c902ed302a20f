"""The Safe List, per account: add (`POST /v2/SafeList/Numbers`), check and remove one number."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from verifyctl.emulator.clock import new_sid
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import INVALID_REQUEST, SAFE_LIST_DUPLICATE, ApiError, not_found

KIND = "safelist"
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")


def _render(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    # The spec's example answers the URL with the raw `+`: .../SafeList/Numbers/+18001234567
    return {
        "sid": doc["sid"],
        "phone_number": doc["phone_number"],
        "url": ctx.url(f"/v2/SafeList/Numbers/{doc['phone_number']}"),
    }


def _path_number(ctx: Context) -> str:
    # Clients may percent-encode the `+` (`%2B18001234567`); the path is not otherwise decoded.
    return unquote(ctx.params["phone_number"])


def is_safe_listed(ctx: Context, phone_number: str) -> bool:
    """Whether the request's account has put `phone_number` on its Safe List."""
    return ctx.store.get(ctx.account_sid, KIND, "", phone_number) is not None


def create(ctx: Context) -> Result:
    number = ctx.form.require("PhoneNumber")
    if not _E164.match(number):
        # Error 60306's page names an invalid PhoneNumber for the (Global) Safe List among its causes.
        raise ApiError(400, INVALID_REQUEST, "Invalid Request: PhoneNumber (must be in E.164 format)")
    if is_safe_listed(ctx, number):
        # twilio.com/docs/verify/api/safe-list: adding a listed number is "HTTP 400 with Error Code 60411".
        raise ApiError(400, SAFE_LIST_DUPLICATE, "The phone number already exists in the SafeList")
    doc = {"sid": new_sid("GN"), "phone_number": number, "date_created": ctx.now_iso()}
    ctx.store.insert(ctx.account_sid, KIND, "", number, doc)
    return Result(201, _render(ctx, doc))


def fetch(ctx: Context) -> Result:
    doc = ctx.store.get(ctx.account_sid, KIND, "", _path_number(ctx))
    if doc is None:
        raise not_found(ctx.path)
    return Result(200, _render(ctx, doc))


def delete(ctx: Context) -> Result:
    if not ctx.store.delete(ctx.account_sid, KIND, "", _path_number(ctx)):
        raise not_found(ctx.path)
    return Result(204)
