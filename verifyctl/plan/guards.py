"""Safety guards on a Plan: deletes need --allow-delete, sweeping changes need --force."""

from __future__ import annotations

from dataclasses import dataclass

from verifyctl.errors import RefusedError
from verifyctl.plan.model import Plan


@dataclass(frozen=True)
class Guards:
    """The flags that allow a plan (over a fleet: every member's)."""

    allow_delete: bool = False
    force: bool = False


def check_guards(plan: Plan, *, allow_delete: bool, force: bool) -> None:
    """Raise RefusedError (exit 3) when the plan needs a flag it was not given."""
    given = {"--allow-delete": allow_delete, "--force": force}
    for flag, reason in plan.needed_flags():
        if given[flag]:
            continue
        if flag == "--allow-delete":
            addresses = [str(change.address) for change in plan.destructive]
            more = f" and {len(addresses) - 5} more" if len(addresses) > 5 else ""
            raise RefusedError(
                f"the plan deletes {len(addresses)} {'object' if len(addresses) == 1 else 'objects'} "
                f"({', '.join(addresses[:5])}{more}); rerun with --allow-delete to allow it"
            )
        raise RefusedError(f"the plan {reason}; rerun with --force if that is intended")
