"""List paging: PageSize/Page/PageToken in, the list envelope with absolute `meta` page URLs out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from verifyctl.emulator.errors import invalid
from verifyctl.emulator.validation import Form

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# The spec gives `Page` no maximum; an int32 keeps `Page * PageSize` well inside SQLite's integers.
MAX_PAGE = 2**31 - 1
# Token positions are SQLite row ids: signed 64-bit.
MAX_TOKEN_SEQ = 2**63 - 1
# Whatever a list pages through in memory: stored documents, accounts.
Item = TypeVar("Item")
_DIGITS = re.compile(r"^[0-9]+$")
# More digits than any bound here has: out of range without converting a huge number.
_MAX_DIGITS = 19


@dataclass(frozen=True)
class PageRequest:
    """What one list request asks for; tokens are `PA<seq>` (after that object) or `PB<seq>` (before it)."""

    size: int
    page: int
    token: str | None
    after: int | None = None
    before: int | None = None

    @property
    def offset(self) -> int:
        """Without a token, `Page` alone selects the page (as older clients expect)."""
        return self.page * self.size if self.token is None else 0


def _int_param(query: Form, name: str, low: int, high: int | None, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    # Plain digits only (int() would also take "1_000", " 5" and 4,000-digit numbers); a sign is checked
    # only to say "at least" rather than "an integer" for a negative value.
    digits = raw[1:] if raw[:1] == "-" else raw
    if not _DIGITS.match(digits):
        raise invalid(name, "must be an integer")
    value = int(raw) if len(digits) <= _MAX_DIGITS else (-1 if raw[:1] == "-" else 1) * 10**_MAX_DIGITS
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid(name, f"must be {bounds}")
    return value


def parse_page_request(query: Form) -> PageRequest:
    """Read and check the paging parameters of a list request."""
    size = _int_param(query, "PageSize", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    page = _int_param(query, "Page", 0, MAX_PAGE, 0)
    token = query.get("PageToken")
    if token is None or token == "":
        return PageRequest(size, page, None)
    position = token[2:]
    if (
        token[:2] not in ("PA", "PB")
        or not _DIGITS.match(position)
        or len(position) > _MAX_DIGITS
        or int(position) > MAX_TOKEN_SEQ
    ):
        raise invalid("PageToken")
    seq = int(token[2:])
    if token.startswith("PA"):
        return PageRequest(size, page, token, after=seq)
    return PageRequest(size, page, token, before=seq)


def envelope(
    key: str,
    items: list[dict[str, Any]],
    seqs: list[int],
    more: bool,
    request: PageRequest,
    list_url: str,
    filters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`{key: [...], meta: {...}}` with page URLs under `list_url` (absolute, on the emulator's host)."""
    base = dict(filters or {})

    def page_url(page: int, token: str | None) -> str:
        query = {**base, "PageSize": str(request.size), "Page": str(page)}
        if token is not None:
            query["PageToken"] = token
        return f"{list_url}?{urlencode(query)}"

    has_previous = request.page > 0 and bool(seqs)
    return {
        key: items,
        "meta": {
            "page": request.page,
            "page_size": request.size,
            "first_page_url": page_url(0, None),
            "previous_page_url": page_url(request.page - 1, f"PB{seqs[0]}") if has_previous else None,
            "next_page_url": page_url(request.page + 1, f"PA{seqs[-1]}") if more and seqs else None,
            "key": key,
            "url": page_url(request.page, request.token),
        },
    }


def slice_list(rows: list[tuple[int, Item]], request: PageRequest) -> tuple[list[tuple[int, Item]], bool]:
    """Page through an in-memory list of (seq, item) in seq order, as `Store.page` pages the database."""
    if request.before is not None:
        earlier = [row for row in rows if row[0] < request.before]
        chosen = earlier[-request.size :]
    elif request.after is not None:
        chosen = [row for row in rows if row[0] > request.after][: request.size]
    else:
        chosen = rows[request.offset : request.offset + request.size]
    more = bool(chosen) and any(row[0] > chosen[-1][0] for row in rows)
    return chosen, more
