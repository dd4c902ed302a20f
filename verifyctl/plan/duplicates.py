"""Live duplicates a plan resolves: services and children that share the identity of a kept object."""

from __future__ import annotations

from collections.abc import Sequence

from verifyctl.resources.records import DesiredRecord, LiveRecord

Pair = tuple[DesiredRecord | None, LiveRecord | None]


def duplicate_services(pairs: Sequence[Pair]) -> dict[str, LiveRecord]:
    """Map the id of each unclaimed live service that shares the friendly name of a desired service
    matched by name (not by a `sid:` pin) to the live service kept in its place.

    Services pinned apart by `sid:` may share a name: those are never duplicates.
    """
    kept: dict[str, LiveRecord] = {}
    for wanted, current in pairs:
        if wanted is not None and current is not None and not wanted.id:
            kept[wanted.key] = current
    losers: dict[str, LiveRecord] = {}
    for wanted, current in pairs:
        if wanted is None and current is not None and current.key in kept:
            losers[current.id] = kept[current.key]
    return losers


def duplicate_reason(address: str, survivor_id: str) -> str:
    """The plan's word beside a duplicate's delete: what is kept and by which rule."""
    return f"duplicate of {address}: {survivor_id} is kept (oldest date_created, then lowest SID)"
