"""Sensitive values in plans: shown masked, as Terraform's `(sensitive value)`, compared by digest."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

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


# An http(s) URL as written: any case, after any leading blanks.
_SCHEME = re.compile(r"(?i)^\s*https?://")


@dataclass(frozen=True)
class _Url:
    """An http(s) URL cut where a person reads it: userinfo is everything before the last `@`."""

    scheme: str  # as written, with "://" and any leading blanks
    userinfo: str | None
    address: str  # host, port and path
    query: str | None  # without its "?"
    fragment: str  # with its "#", or ""

    def joined(self, userinfo: str | None, query: str | None) -> str:
        who = f"{userinfo}@" if userinfo is not None else ""
        asked = f"?{query}" if query is not None else ""
        return f"{self.scheme}{who}{self.address}{asked}{self.fragment}"


def _split(text: str) -> _Url | None:
    # Not urlsplit: a password holding "/", "?" or "#" (as base64 tokens do) ends the authority for a
    # parser, which then shows the rest of the password as a host or a path. Everything before the last
    # "@" is taken for userinfo instead, so that no way of writing a token shows it.
    match = _SCHEME.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    at = rest.rfind("@")
    userinfo = rest[:at] if at >= 0 else None
    rest = rest[at + 1 :]
    query: str | None = None
    fragment = ""
    asked, hashed = rest.find("?"), rest.find("#")
    if asked >= 0 and (hashed < 0 or asked < hashed):
        rest, query = rest[:asked], rest[asked + 1 :]
        if "#" in query:
            query, fragment = query[: query.index("#")], query[query.index("#") :]
    elif hashed >= 0:
        rest, fragment = rest[:hashed], rest[hashed:]
    return _Url(text[: match.end()], userinfo, rest, query, fragment)


def mask_url(text: str) -> str:
    """An http(s) URL with its userinfo and query string masked, however written; other text as it is."""
    url = _split(text)
    if url is None:
        return text
    userinfo = SENSITIVE if url.userinfo is not None else None
    query = SENSITIVE if url.query else url.query
    if (userinfo, query) == (url.userinfo, url.query):
        return text
    return url.joined(userinfo, query)


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
    url = _split(text)
    if url is None or mask_url(text) == text:
        return text, []
    names: list[str] = []
    userinfo, query = url.userinfo, url.query
    if userinfo is not None:
        names.append(f"{prefix}_USERINFO")
        userinfo = f"${{secret:{names[-1]}}}"
    if query:
        names.append(f"{prefix}_QUERY")
        query = f"${{secret:{names[-1]}}}"
    return url.joined(userinfo, query), names
