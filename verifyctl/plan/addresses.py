"""The address key of each matched service: its friendly name, or its sid where several share the name."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from verifyctl.resources.records import Record


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
