"""Which of several objects sharing one identity is kept: a rule every run computes alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from verifyctl.resources.records import LiveRecord

# An unreadable or missing date sorts last: an object whose age is unknown never outranks a dated one.
_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def created_at(value: object) -> datetime:
    """`date_created` as a UTC datetime (ISO 8601 as Verify answers it); unknown dates sort last."""
    if not isinstance(value, str) or not value:
        return _LATEST
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _LATEST
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def rank(created: object, object_id: str) -> tuple[datetime, str]:
    """The survivor rule's order: the oldest `date_created` first, then the lowest id.

    Dates have one-second resolution, so two racing creates often tie: the id breaks the tie the same
    way in every run.
    """
    return (created_at(created), object_id)


def keep_record(records: Sequence[LiveRecord]) -> LiveRecord:
    """The live record the rule keeps among records of one identity."""
    if len(records) == 1:
        return records[0]  # the common case: no duplicate, nothing to rank
    return min(records, key=lambda record: rank(record.created, record.id))


def keep_item(items: Iterable[dict[str, Any]], id_key: str) -> dict[str, Any]:
    """The API item the rule keeps among items of one identity."""
    return min(items, key=lambda item: rank(item.get("date_created"), str(item.get(id_key))))
