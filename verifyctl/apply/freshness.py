"""Refuse a saved plan whose objects changed since it was made (re-read only what it touches)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from verifyctl.apply.paths import UnresolvedParent, collection_of, kind_of
from verifyctl.errors import StalePlanError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.resources.records import Record, identity_key, live_record
from verifyctl.state.reader import ListingClient, read_services


def check_fresh(plan: Plan, client: ListingClient, parallelism: int = 10) -> None:
    """Raise StalePlanError naming every change whose live object is not as the plan saw it."""
    services = read_services(client)
    # The collection each child change lives in; a change whose parent this plan creates has none yet.
    collection: dict[str, str] = {}
    for change in plan.changes:
        if change.kind != "service":
            try:
                collection[change.address] = collection_of(kind_of(change.kind), change.address, plan.ids)
            except UnresolvedParent:
                continue
    paths = sorted(
        {
            (path, kind_of(c.kind).list_key, c.kind)
            for c in plan.changes
            if (path := collection.get(c.address))
        }
    )
    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        lists = pool.map(lambda p: [live_record(kind_of(p[2]), i) for i in client.list(p[0], p[1])], paths)
        listed = {path: records for (path, _, _), records in zip(paths, lists, strict=True)}

    stale = []
    for change in plan.changes:
        if change.kind == "service":
            records = services
        elif change.address in collection:
            records = listed[collection[change.address]]
        else:
            continue
        if not _still_as_planned(change, records):
            stale.append(change.address)
    if stale:
        raise StalePlanError(
            f"the saved plan is stale: {', '.join(stale)} changed since it was made; run plan again"
        )


def _still_as_planned(change: Change, records: list[Record]) -> bool:
    """A planned create still finds nothing in its place; any other change finds its object as it was."""
    if change.action is Action.CREATE:
        kind = kind_of(change.kind)
        assert change.after is not None
        wanted = identity_key(kind, change.after[kind.identity])
        return all(record.identity != wanted for record in records)
    return any(record.id == change.id and record.fields == change.before for record in records)
