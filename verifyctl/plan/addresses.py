"""Object addresses (`service[A]/rate_limit[b]/bucket[60]`): parsing `--target` values and scoping changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from verifyctl.errors import UsageError
from verifyctl.resources.kinds import CHILD_KINDS, KINDS
from verifyctl.resources.records import Record

Segment = tuple[str, str]


def parse_address(text: str) -> list[Segment]:
    """Split an address into (kind, key) segments; raise UsageError when it is not one."""
    segments: list[Segment] = []
    rest = text.strip()
    parent: str | None = None
    while rest:
        open_at = rest.find("[")
        if open_at <= 0:
            raise UsageError(f"invalid address {text!r}: expected kind[key], e.g. service[Acme Login]")
        kind = rest[:open_at]
        # The key ends at the last "]" that is followed by "/" or the end, so keys may hold brackets.
        close_at = _closing_bracket(rest, open_at)
        if close_at < 0:
            raise UsageError(f"invalid address {text!r}: missing ']'")
        key = rest[open_at + 1 : close_at]
        allowed = {"service"} if parent is None else {k.name for k in CHILD_KINDS[parent]}
        if kind not in KINDS or kind not in allowed:
            expected = " or ".join(sorted(allowed))
            raise UsageError(f"invalid address {text!r}: {kind!r} cannot stand here (expected {expected})")
        segments.append((kind, key))
        parent = kind
        rest = rest[close_at + 1 :]
        if rest.startswith("/"):
            rest = rest[1:]
            if not rest:
                raise UsageError(f"invalid address {text!r}: trailing '/'")
        elif rest:
            raise UsageError(f"invalid address {text!r}: unexpected {rest!r}")
    if not segments:
        raise UsageError("empty address")
    return segments


def _closing_bracket(text: str, open_at: int) -> int:
    candidates = [i for i, ch in enumerate(text) if ch == "]" and i > open_at]
    for i in candidates:
        if i + 1 == len(text) or text[i + 1] == "/":
            return i
    return -1


def format_address(segments: list[Segment]) -> str:
    return "/".join(f"{kind}[{key}]" for kind, key in segments)


def covers(target: str, address: str) -> bool:
    """Whether `target` names `address` or one of its ancestors."""
    return address == target or address.startswith(target + "/")


def service_address_keys(pairs: Sequence[tuple[Record | None, Record | None]]) -> list[str]:
    """The key of each (desired, live) service pair's address: its friendly name, or its sid when several
    pairs have that name (services pinned apart, or live ones the files leave alone), so that addresses
    stay unique and the ids a plan keeps by address never mix two services up."""
    names = [
        wanted.key if wanted is not None else current.key if current is not None else ""
        for wanted, current in pairs
    ]
    counts = Counter(names)
    keys = []
    for name, (wanted, current) in zip(names, pairs, strict=True):
        sid = (wanted.id if wanted is not None else None) or (current.id if current is not None else None)
        keys.append(str(sid) if sid and counts[name] > 1 else name)
    return keys
