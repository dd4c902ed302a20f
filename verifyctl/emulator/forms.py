"""`GET /v2/Forms/{FormType}`: the JSON Schemas of the push-factor forms (only `form-push` exists)."""

from __future__ import annotations

from typing import Any

from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.errors import not_found

_STRING = {"type": "string"}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


# The parameters a push factor and its challenges take (the spec's CreateNewFactor, UpdateFactor and
# CreateChallenge requests), as the JSON Schemas the spec says `forms` holds.
_PUSH_FORMS: dict[str, Any] = {
    "create_factor": _object(
        {
            "binding": _object(
                {"public_key": _STRING, "alg": {"type": "string", "enum": ["ES256"]}}, ["public_key", "alg"]
            ),
            "config": _object(
                {
                    "sdk_version": _STRING,
                    "app_id": _STRING,
                    "notification_platform": {"type": "string", "enum": ["apn", "fcm", "none"]},
                    "notification_token": _STRING,
                },
                ["sdk_version", "app_id", "notification_platform"],
            ),
        },
        ["binding", "config"],
    ),
    "verify_factor": _object({"auth_payload": _STRING}, ["auth_payload"]),
    "create_challenge": _object(
        {"details": _object({"message": _STRING, "fields": {"type": "array"}}, ["message"])}, ["details"]
    ),
}


def fetch_form(ctx: Context) -> Result:
    form_type = ctx.params["id"]
    # `form_enum_form_types` has the one value `form-push`; any other type is no resource at all.
    if form_type != "form-push":
        raise not_found(ctx.path)
    body = {
        "form_type": form_type,
        "forms": _PUSH_FORMS,
        "form_meta": {},
        "url": ctx.url(f"/v2/Forms/{form_type}"),
    }
    return Result(200, body)
