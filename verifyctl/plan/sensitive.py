"""Sensitive values in plans: shown masked, as Terraform's `(sensitive value)`, compared by digest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

SENSITIVE = "(sensitive value)"


def digest(value: Any) -> str:
    """A digest of a value: a saved plan records it in place of a masked value, to compare later."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def mask(value: Any, secrets: Collection[str] = ()) -> Any:
    """`value` as it may be shown: a string holding a `${secret:…}` value is `(sensitive value)` whole;
    a URL's userinfo and query string are masked by default (they carry tokens); lists item by item."""
    if isinstance(value, str):
        if any(secret in value for secret in secrets if secret):
            return SENSITIVE
        return mask_url(value)
    if isinstance(value, list | tuple):
        return [mask(item, secrets) for item in value]
    return value


def mask_url(text: str) -> str:
    """An http(s) URL with its userinfo and query string masked; any other text as it is."""
    if not text.lower().startswith(("http://", "https://")):
        return text
    try:
        parts: SplitResult = urlsplit(text)
    except ValueError:
        return SENSITIVE  # not a URL we can take apart: nothing of it is shown
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{SENSITIVE}@{netloc.rsplit('@', 1)[1]}"
    query = SENSITIVE if parts.query else ""
    if (netloc, query) == (parts.netloc, parts.query):
        return text
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def mask_fields(
    fields: Mapping[str, Any] | None, secrets: Collection[str]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The fields as shown, and the digest of the real value of each field that was masked."""
    if fields is None:
        return None, {}
    shown: dict[str, Any] = {}
    digests: dict[str, str] = {}
    for key, value in fields.items():
        shown[key] = mask(value, secrets)
        if shown[key] != value:
            digests[key] = digest(value)
    return shown, digests


def url_as_references(text: str, prefix: str) -> tuple[str, list[str]]:
    """An http(s) URL with its userinfo and query string replaced by `${secret:PREFIX_USERINFO}` and
    `${secret:PREFIX_QUERY}` (what `import` writes), and the names of those variables."""
    if mask_url(text) == text:
        return text, []
    try:
        parts = urlsplit(text)
    except ValueError:
        name = f"{prefix}_URL"
        return f"${{secret:{name}}}", [name]
    names: list[str] = []
    netloc = parts.netloc
    if "@" in netloc:
        names.append(f"{prefix}_USERINFO")
        netloc = f"${{secret:{names[-1]}}}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        names.append(f"{prefix}_QUERY")
        query = f"${{secret:{names[-1]}}}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)), names
