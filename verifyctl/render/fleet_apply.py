"""The member table that ends an apply over a fleet: each member, its masked account and how it ended."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

# The order statuses are counted in on the summary line, with the words that name them there.
_COUNTED = (
    ("applied", "applied"),
    ("no changes", "with no changes"),
    ("failed", "failed"),
    ("not started", "not started"),
    ("skipped", "skipped"),
)
# A member's detail (an error message) is shown on one line of at most this many characters.
_DETAIL = 160


class MemberRow(Protocol):
    """What the table shows of one member's result."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def detail(self) -> str: ...


def one_line(text: str, limit: int = _DETAIL) -> str:
    """`text` as a table cell: its first line, control characters escaped, cut at `limit`."""
    lines = text.strip().splitlines()
    first = lines[0] if lines else ""
    shown = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in first)
    if len(lines) > 1 and len(shown) < limit:
        shown += " …"
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def result_cell(row: MemberRow) -> str:
    """How a member ended, as the table says it: `failed: <error>`, `not started (<why>)`."""
    detail = one_line(row.detail)
    if not detail:
        return row.status
    if row.status == "failed":
        return f"failed: {detail}"
    return f"{row.status} ({detail})"


def render_member_table(fleet: str, rows: Sequence[MemberRow], accounts: Sequence[str]) -> str:
    """The table (one line per member, in the fleet's order) and a line counting each result.

    `accounts` are the members' masked account SIDs, in the order of `rows`.
    """
    names = [one_line(row.name, 64) for row in rows]
    width = max([len("MEMBER"), *(len(name) for name in names)])
    account_width = max([len("ACCOUNT"), *(len(account) for account in accounts)])
    lines = [f"{'MEMBER':<{width}}  {'ACCOUNT':<{account_width}}  RESULT"]
    for name, account, row in zip(names, accounts, rows, strict=True):
        lines.append(f"{name:<{width}}  {account:<{account_width}}  {result_cell(row)}")
    counts = [
        f"{sum(1 for row in rows if row.status == status)} {words}"
        for status, words in _COUNTED
        if any(row.status == status for row in rows)
    ]
    total = f"{len(rows)} member{'s' if len(rows) != 1 else ''}"
    lines.append("")
    lines.append(f"Fleet {fleet}: {total}: {', '.join(counts) or 'none'}.")
    return "\n".join(lines) + "\n"
