"""Reading one page of a Twilio list envelope and checking where its next page points."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from verifyctl.client.base_url import origin
from verifyctl.errors import TransportError

PAGE_SIZE = "1000"
# More pages than this is a server bug, not an account (10 million objects at the full page size).
MAX_PAGES = 10_000


def _malformed(method: str, path: str, why: str) -> TransportError:
    return TransportError(f"{method} {path}: unusable list response: {why}")


def page_records(payload: Any, list_key: str, path: str) -> list[dict[str, Any]]:
    """The records of one page: `payload[meta.key]`, or `payload[list_key]` when meta names no key."""
    if not isinstance(payload, dict):
        raise _malformed("GET", path, "the body is not a JSON object")
    meta = payload.get("meta")
    key = meta.get("key") if isinstance(meta, dict) and isinstance(meta.get("key"), str) else list_key
    records = payload.get(key)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise _malformed("GET", path, f"no list of objects under {key!r}")
    return records


def next_page_url(payload: dict[str, Any], current_url: str) -> str | None:
    """`meta.next_page_url` (Verify v2), or the top-level `next_page_uri` of the 2010-04-01 API's lists
    (the Accounts list), resolved against the page it came from; None on the last page."""
    meta = payload.get("meta")
    where = "meta.next_page_url"
    if isinstance(meta, dict):
        nxt = meta.get("next_page_url")
    else:
        nxt, where = payload.get("next_page_uri"), "next_page_uri"
    if nxt is None or nxt == "":
        return None
    if not isinstance(nxt, str):
        raise _malformed("GET", urlsplit(current_url).path, f"{where} is not a string")
    return urljoin(current_url, nxt)


def page_identity(url: str) -> str:
    """A URL with its query sorted and host lower-cased, so the loop guard sees reordered repeats."""
    parts = urlsplit(url)
    scheme, host, port = origin(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{scheme}://{host}:{port}{parts.path}?{query}"


def check_next_page(url: str, base_url: str, seen: set[str], path: str) -> None:
    """Refuse a next page on another origin (it would receive our credentials) or one already read."""
    if origin(url) != origin(base_url):
        scheme, host, port = origin(url)
        raise _malformed(
            "GET",
            path,
            f"meta.next_page_url points to {scheme}://{host}:{port}, not to {base_url}; "
            "refusing to send credentials there",
        )
    identity = page_identity(url)
    if identity in seen:
        parts = urlsplit(url)
        where = f"{parts.path}?{parts.query}" if parts.query else parts.path
        raise _malformed("GET", path, f"meta.next_page_url repeats a page already read ({where})")
    if len(seen) >= MAX_PAGES:
        raise _malformed("GET", path, f"more than {MAX_PAGES} pages")
    seen.add(identity)
