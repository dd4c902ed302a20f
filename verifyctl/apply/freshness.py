"""Refuse a saved plan whose objects changed since it was made (re-read only what it touches)."""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Protocol

from verifyctl.errors import StalePlanError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.plan.sensitive import same_fields
from verifyctl.resources.addresses import UnresolvedParent
from verifyctl.resources.records import LiveRecord, live_record
from verifyctl.state.reader import ListingClient, read_services
from verifyctl.state.safelist import FetchingClient, read_safe_list


class FreshnessClient(ListingClient, FetchingClient, Protocol):
    """Lists collections; GETs the objects of kinds the API does not list (Safe List numbers)."""


def check_fresh(plan: Plan, client: FreshnessClient, pool: Executor) -> None:
    """Raise StalePlanError naming every change whose live object is not as the plan saw it."""
    numbers = read_safe_list(client, [c.address.key for c in plan.changes if not c.kind.listable], pool)
    services = read_services(client)
    # The collection each child change lives in; a change whose parent this plan creates has none yet.
    # Keyed by position: changes hold dicts, so they are not hashable.
    collection: dict[int, str] = {}
    for position, change in enumerate(plan.changes):
        if change.parent is not None:
            try:
                collection[position] = change.address.collection_path(plan.ids)
            except UnresolvedParent:
                continue
    paths = sorted({(path, plan.changes[position].kind.name) for position, path in collection.items()})
    kinds = {plan.changes[position].kind.name: plan.changes[position].kind for position in collection}
    lists = pool.map(
        lambda p: [live_record(kinds[p[1]], item) for item in client.list(p[0], kinds[p[1]].list_key)], paths
    )
    listed = {path: records for (path, _), records in zip(paths, lists, strict=True)}

    stale = []
    listed_numbers = numbers()
    for position, change in enumerate(plan.changes):
        if not change.kind.listable:
            found = listed_numbers[change.address.key]
            records = [found] if found is not None else []
        elif change.parent is None:
            records = services
        elif position in collection:
            records = listed[collection[position]]
        else:
            continue
        if not _still_as_planned(change, records):
            stale.append(str(change.address))
    if stale:
        raise StalePlanError(
            f"the saved plan is stale: {', '.join(stale)} changed since it was made; run plan again"
        )


def _still_as_planned(change: Change, records: list[LiveRecord]) -> bool:
    """A planned create still finds nothing in its place; any other change finds its object as it was."""
    if change.action is Action.CREATE:
        assert change.after is not None
        wanted = change.kind.identity_of(change.after[change.kind.identity])
        return all(record.identity != wanted for record in records)
    before = change.sensitive.get("before", {})
    return any(
        record.id == change.id and same_fields(record.fields, change.before, before) for record in records
    )
