"""Live duplicates a plan resolves: services and children that share the identity of a kept object."""

from __future__ import annotations

from collections.abc import Sequence

from verifyctl.plan.model import Action, Plan
from verifyctl.resources.records import DesiredRecord, LiveRecord

Pair = tuple[DesiredRecord | None, LiveRecord | None]
# How every duplicate's delete reason starts: `duplicate_deletes` finds them by it.
_PREFIX = "duplicate of "


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
    return f"{_PREFIX}{address}: {survivor_id} is kept (oldest date_created, then lowest SID)"


def duplicate_deletes(plan: Plan) -> frozenset[str]:
    """The ids of the live duplicates the plan deletes (their children going with them are left out)."""
    return frozenset(
        str(change.id)
        for change in plan.changes
        if change.action is Action.DELETE
        and change.deleted_with is None
        and change.reason.startswith(_PREFIX)
    )
