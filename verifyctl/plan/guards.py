"""Safety guards on a Plan: deletes need --allow-delete, sweeping changes need --force."""

from __future__ import annotations

from verifyctl.errors import RefusedError
from verifyctl.plan.model import Action, Plan

# DESIGN.md: a plan that updates or deletes more than 30% of the live objects it covers (when there are at
# least 10) needs --force.
THRESHOLD_RATIO = 0.30
THRESHOLD_MIN_OBJECTS = 10


def destructive_addresses(plan: Plan) -> list[str]:
    """Addresses the plan deletes, replacements included (a replace deletes the live object first)."""
    return [c.address for c in plan.changes if c.action in (Action.DELETE, Action.REPLACE)]


def touched_ratio(plan: Plan) -> float:
    touched = sum(1 for c in plan.changes if c.action is not Action.CREATE)
    return touched / plan.covered if plan.covered else 0.0


def check_guards(plan: Plan, *, allow_delete: bool, force: bool) -> None:
    """Raise RefusedError (exit 3) when the plan needs a flag it was not given."""
    deletes = destructive_addresses(plan)
    if deletes and not allow_delete:
        shown = ", ".join(deletes[:5]) + (f" and {len(deletes) - 5} more" if len(deletes) > 5 else "")
        raise RefusedError(
            f"the plan deletes {len(deletes)} object{'s' if len(deletes) != 1 else ''} ({shown}); "
            "rerun with --allow-delete to allow it"
        )
    touched = sum(1 for c in plan.changes if c.action is not Action.CREATE)
    ratio = touched_ratio(plan)
    if plan.covered >= THRESHOLD_MIN_OBJECTS and ratio > THRESHOLD_RATIO and not force:
        raise RefusedError(
            f"the plan updates or deletes {touched} of {plan.covered} live objects ({ratio:.0%}, more than "
            f"{THRESHOLD_RATIO:.0%}); rerun with --force if that is intended"
        )
