"""`GET /v2/Templates`: a few built-in verification templates, filterable by friendly name."""

from __future__ import annotations

from typing import Any

from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.pagination import envelope, parse_page_request, slice_list

# Fixed SIDs, so that a service's `default_template_sid` stays valid across restarts.
_BUILT_IN: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (
        "HJ" + "0" * 31 + "1",
        "Base Verification Template",
        ("sms", "voice"),
        "Your {{friendly_name}} verification code is: {{code}}.",
    ),
    (
        "HJ" + "0" * 31 + "2",
        "Base Verification Template 2 with do not share",
        ("sms",),
        "Your {{friendly_name}} verification code is: {{code}}. Do not share this code with anyone.",
    ),
    (
        "HJ" + "0" * 31 + "3",
        "Base Verification Template 3",
        ("sms", "voice"),
        "Your verification code is: {{code}}. Do not share it.",
    ),
)
# The dates of the spec's example: translation dates carry nanoseconds, unlike every other Verify date.
_TRANSLATION_CREATED = "2021-07-29T20:38:28.165602325Z"
_TRANSLATION_UPDATED = "2021-07-29T20:38:28.759979905Z"


def _template(account_sid: str, sid: str, name: str, channels: tuple[str, ...], text: str) -> dict[str, Any]:
    return {
        "sid": sid,
        "account_sid": account_sid,
        "friendly_name": name,
        "channels": list(channels),
        "translations": {
            "en": {
                "is_default_translation": True,
                "status": "approved",
                "locale": "en",
                "text": text,
                "date_updated": _TRANSLATION_UPDATED,
                "date_created": _TRANSLATION_CREATED,
            }
        },
    }


def list_templates(ctx: Context) -> Result:
    request = parse_page_request(ctx.query)
    wanted = ctx.query.get("FriendlyName")
    rows = [
        (seq, _template(ctx.account_sid, *fields))
        for seq, fields in enumerate(_BUILT_IN, start=1)
        if not wanted or wanted.lower() in fields[1].lower()
    ]
    chosen, more = slice_list(rows, request)
    filters = {"FriendlyName": wanted} if wanted else None
    body = envelope(
        "templates",
        [item for _, item in chosen],
        [seq for seq, _ in chosen],
        more,
        request,
        ctx.url(ctx.path),
        filters,
    )
    return Result(200, body)
