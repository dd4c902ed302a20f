"""Put the real values back into a saved plan's masked fields, from the configuration, checked by digest."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from verifyctl.errors import RefusedError, StalePlanError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.plan.sensitive import values_by_digest
from verifyctl.resources.records import DesiredRecord


def masked_to_send(change: Change) -> list[str]:
    """The masked fields of a change that apply would send: all of a create's, an update's changed ones."""
    masked = change.sensitive.get("after", {})
    if change.action is Action.UPDATE:
        return [key for key in change.changed_fields if key in masked]
    if change.action in (Action.CREATE, Action.REPLACE):
        return list(masked)
    return []


def needs_configuration(plan: Plan) -> int:
    """How many masked values a saved plan would have to send."""
    return sum(len(masked_to_send(change)) for change in plan.changes)


def restore(plan: Plan, services: Sequence[DesiredRecord] | None) -> Plan:
    """The plan with each masked value it sends taken from the configuration, where a value with the
    same digest is written. Refused (exit 3) without a configuration; stale when a value is not there."""
    count = needs_configuration(plan)
    if not count:
        return plan
    if services is None:
        raise RefusedError(
            f"the saved plan sends {count} sensitive {'value' if count == 1 else 'values'} that the file "
            "holds masked; give the configuration files too (apply --plan FILE PATH...): apply takes "
            "the real values from them, checked against the plan's digests"
        )
    known = values_by_digest(list(_values(services)))
    changes = []
    missing = []
    for change in plan.changes:
        keys = masked_to_send(change)
        if not keys:
            changes.append(change)
            continue
        after = dict(change.after or {})
        for key in keys:
            wanted = change.sensitive["after"][key]
            if wanted in known:
                after[key] = known[wanted]
            else:
                missing.append(f"{change.address} {key}")
        changes.append(replace(change, after=after))
    if missing:
        raise StalePlanError(
            f"the saved plan is stale: the configuration given has no value matching {', '.join(missing)} "
            "(changed since the plan was made, or not these files); run plan again"
        )
    return replace(plan, changes=tuple(changes))


def _values(records: Sequence[DesiredRecord]) -> Iterator[Any]:
    for record in records:
        yield from record.fields.values()
        for children in record.children.values():
            yield from _values(children)
