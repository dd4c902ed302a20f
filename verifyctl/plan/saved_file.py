"""A saved plan file read back: one environment's plan, or a fleet's (whose code loads only for one)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeGuard

from verifyctl.plan.saved import SavedPlan, parse_plan_file, read_plan_file, saved_plan_of

if TYPE_CHECKING:
    from verifyctl.plan.saved_fleet import SavedFleet


def read_saved(path: str, outside_links: bool = False) -> SavedPlan | SavedFleet:
    """A saved plan file, of one environment or of a fleet (which it says itself)."""
    raw = read_plan_file(path, outside_links)
    saved: SavedPlan | SavedFleet = parse_plan_file(path, raw, _either)
    if isinstance(saved, SavedPlan):
        return replace(saved, file=path, sha256="sha256:" + hashlib.sha256(raw).hexdigest())
    return replace(saved, file=path)


def is_fleet_plan(saved: SavedPlan | SavedFleet | None) -> TypeGuard[SavedFleet]:
    """Whether a saved plan read back is a fleet's."""
    return saved is not None and not isinstance(saved, SavedPlan)


def is_fleet_document(data: Any) -> bool:
    return isinstance(data, dict) and "fleet" in data


def _either(data: Any) -> SavedPlan | SavedFleet:
    if is_fleet_document(data):
        from verifyctl.plan.saved_fleet import saved_fleet_of

        return saved_fleet_of(data)
    return saved_plan_of(data)
