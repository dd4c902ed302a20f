"""Give a racing apply's duplicates a moment to go: their writer deletes its copy right after making it."""

from __future__ import annotations

from collections.abc import Callable

from verifyctl.client.retry import RetryPolicy
from verifyctl.plan.duplicates import duplicate_deletes
from verifyctl.plan.model import Plan

# How long apart the plan is made again, and how many times at most. A writer deletes its losing copy
# after its next read (a service) or at its last check, a second or two later (see apply/confirm.py).
REPLAN_PAUSE_SECONDS = 1.0
REPLANS = 4


def without_passing_duplicates(
    plan: Plan, replan: Callable[[], Plan], timing: RetryPolicy | None = None
) -> Plan:
    """The plan once the live duplicates it would delete stop going away by themselves.

    Used when apply may not delete: a duplicate another apply is resolving vanishes within a few seconds,
    and the plan without it needs no --allow-delete. Duplicates that stay (left by an earlier race) are
    planned for deletion as before, after one unchanged look. `timing` gives the sleep (the client's).
    """
    timing = timing if timing is not None else RetryPolicy()
    seen = duplicate_deletes(plan)
    for _ in range(REPLANS):
        if not seen:
            return plan
        timing.pause(REPLAN_PAUSE_SECONDS)
        plan = replan()
        now = duplicate_deletes(plan)
        if now == seen:
            return plan
        seen = now
    return plan
