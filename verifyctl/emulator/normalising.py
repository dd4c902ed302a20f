"""A test mode: a service's FriendlyName is stored trimmed, its blanks collapsed, as Twilio may store a
value otherwise than it was sent (what apply's read-back is for)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

# A service create (POST /v2/Services) or update (POST /v2/Services/{sid}); nothing below a service.
_SERVICE_WRITE = re.compile(r"^/v2/Services(?:/[^/]+)?$")


def collapse_blanks(text: str) -> str:
    """`"  Acme   Login "` -> `"Acme Login"`."""
    return " ".join(text.split())


def normalised_names(method: str, path: str, body: str) -> str:
    """The form body of a service write with its FriendlyName normalised; any other request's as it is."""
    if method != "POST" or not _SERVICE_WRITE.match(path):
        return body
    pairs = parse_qsl(body, keep_blank_values=True)
    return urlencode([(k, collapse_blanks(v) if k == "FriendlyName" else v) for k, v in pairs])
