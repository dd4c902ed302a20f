"""The end of an apply's read-back: how many changes were stored as written, or what to write in the file."""

from __future__ import annotations

from collections.abc import Collection

from verifyctl.cli.output import plural
from verifyctl.engine import ApplyResult
from verifyctl.errors import ReadBackError


def as_written_line(outcome: ApplyResult) -> str:
    """`N changes read back as written.`: the end of an apply whose writes were all stored as sent."""
    return f"{plural(len(outcome.read_back), 'change')} read back as written.\n"


def stored_differently(outcome: ApplyResult, secrets: Collection[str]) -> ReadBackError | None:
    """The values the API stored otherwise than sent, one line each with the value to write in the file
    (sensitive values masked); None when every write read back as sent."""
    differences = outcome.stored_differently
    if not differences:
        return None
    one = len(differences) == 1
    changes = len({difference.address for difference in differences})
    they, were, them, a_change = (
        ("it", "was", "it", "it as a change") if one else ("they", "were", "them", "them as changes")
    )
    read = plural(len(outcome.read_back), "change")
    head = (
        f"{plural(len(differences), 'value')} {were} stored differently from how {they} {were} sent (in"
        f" {changes} of {read} read back): write {them} in the file as Twilio stores {them}, or every plan"
        f" will show {a_change}:"
    )
    return ReadBackError("\n".join([head, *(f"  {d.describe(secrets)}" for d in differences)]))
