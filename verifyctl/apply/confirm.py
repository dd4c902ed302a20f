"""Confirm creates against racing writers: one list per collection, keep the rule's survivor, drop ours."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Protocol

from verifyctl.errors import ApiError
from verifyctl.plan.diff import changed_fields
from verifyctl.plan.model import Change
from verifyctl.resources.addresses import Address
from verifyctl.resources.codec import FormItems, decode_response, encode_form
from verifyctl.resources.survivor import keep_item

# How often, and how long apart, the last check re-reads a collection while another writer's copy is
# still there: that writer deletes its copy when its own check runs, which may be a few waves later.
SETTLE_READS = 24
SETTLE_PAUSE_SECONDS = 0.25
# `date_created` has one-second resolution and racing creates often tie on it: the SID then decides, and
# a copy made after our read may outrank ours. Any copy that ties with ours was made before the end of
# our create's second, so the last check reads once that second is over (at most this long after the
# create returned): from then on every writer sees the same copies and keeps the same one.
TIE_WINDOW_SECONDS = 1.05


class ConfirmClient(Protocol):
    """What confirming needs of the HTTP client."""

    def list(
        self, path: str, list_key: str, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]: ...
    def update(self, path: str, form: FormItems) -> dict[str, Any]: ...
    def delete(self, path: str) -> None: ...


@dataclass(frozen=True)
class Created:
    """An object this run created: its change, its id, and the collection it lives in."""

    change: Change
    id: str
    path: str
    # When the create had returned (monotonic): the last check waits for its second to be over.
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Unsettled:
    """A created object that ended as a loser (`rehome`: carry on under the survivor) or that still has
    another writer's copy beside it (`detail` says so)."""

    created: Created
    rehome: bool
    detail: str


class Confirmer:
    """Checks this run's creates for copies made by another writer, with one list per collection."""

    def __init__(self, client: ConfirmClient, pool: Executor, warn: Callable[[str], None]) -> None:
        self._client = client
        self._pool = pool
        self._warn = warn

    def confirm(self, created: Sequence[Created], ids: dict[Address, str]) -> set[Address]:
        """Right after a wave: for each create that has a namesake, keep the rule's survivor. When that
        is not ours, delete ours (it has no children yet) and point `ids` at the survivor, so that the
        next waves create children under it. Returns the addresses that lost."""
        lost: set[Address] = set()
        for item, survivor in self._survivors(created):
            if str(survivor[item.change.kind.id_key]) != item.id:
                self._give_way(item, survivor, ids)
                lost.add(item.change.address)
        return lost

    def settle(self, created: Sequence[Created], ids: dict[Address, str]) -> list[Unsettled]:
        """After the last wave: a writer that created its copy after our confirming read may still
        outrank ours (dates have one-second resolution; the SID breaks ties). A loser of ours is deleted
        and reported for re-homing; another writer's copy is waited for a while, then reported."""
        pending = list(created)
        unsettled: list[Unsettled] = []
        if pending:
            wait = max(item.at for item in pending) + TIE_WINDOW_SECONDS - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        for attempt in range(SETTLE_READS):
            foreign: list[Created] = []
            # Parents first: what a losing parent held goes with it and is created again under the survivor.
            found = sorted(self._survivors(pending), key=lambda found: len(found[0].change.address.segments))
            for item, survivor in found:
                if any(u.rehome and u.created.change.address.covers(item.change.address) for u in unsettled):
                    continue
                if str(survivor[item.change.kind.id_key]) != item.id:
                    self._give_way(item, survivor, ids)
                    unsettled.append(Unsettled(item, True, ""))
                else:
                    foreign.append(item)
            pending = [
                item
                for item in foreign
                if not any(
                    u.rehome and u.created.change.address.covers(item.change.address) for u in unsettled
                )
            ]
            if not pending:
                break
            if attempt < SETTLE_READS - 1:
                time.sleep(SETTLE_PAUSE_SECONDS)
        for item in pending:
            detail = (
                f"another writer's copy of {item.change.address} is still in the account beside ours "
                f"({item.id}, which the rule keeps); run plan to resolve it"
            )
            unsettled.append(Unsettled(item, False, detail))
        return unsettled

    def adopt(self, change: Change, path: str, ids: Mapping[Address, str]) -> str | None:
        """The id of the object of this change's identity that another writer created meanwhile (the API
        refused ours as a duplicate), brought to the written fields; None when there is none."""
        kind = change.kind
        assert change.after is not None
        wanted = kind.identity_of(change.after[kind.identity])
        items = [
            i
            for i in self._client.list(path, kind.list_key)
            if kind.identity_of(i.get(kind.identity)) == wanted
        ]
        if not items:
            return None
        survivor = keep_item(items, kind.id_key)
        self._converge(change, survivor, ids)
        self._warn(f"{change.address} was created meanwhile by another writer: kept {survivor[kind.id_key]}")
        return str(survivor[kind.id_key])

    def relocate(self, address: Address, ids: dict[Address, str]) -> bool:
        """After a 404 under `address`: when the object there was a duplicate that its writer deleted,
        point `ids` at the survivor of its identity (its own parent relocated first, if that is gone
        too). Whether `ids` changed."""
        if address not in ids:
            return False
        kind = address.kind
        try:
            items = self._client.list(address.collection_path(ids), kind.list_key)
        except ApiError as error:
            parent = address.parent
            if error.status != 404 or parent is None or not self.relocate(parent, ids):
                raise
            items = self._client.list(address.collection_path(ids), kind.list_key)
        wanted = kind.identity_of(address.key)
        namesakes = [i for i in items if kind.identity_of(i.get(kind.identity)) == wanted]
        if not namesakes:
            return False
        kept = str(keep_item(namesakes, kind.id_key)[kind.id_key])
        if kept == ids[address]:
            return False
        self._warn(
            f"{address} {ids[address]} was deleted as another writer's duplicate: carried on with {kept}"
        )
        ids[address] = kept
        return True

    def _survivors(self, created: Sequence[Created]) -> list[tuple[Created, dict[str, Any]]]:
        """Each created object that shares its identity with another, and the rule's survivor."""
        paths = sorted({(item.path, item.change.kind.list_key) for item in created})
        lists = dict(zip(paths, self._pool.map(lambda p: self._client.list(*p), paths), strict=True))
        found = []
        for item in created:
            kind = item.change.kind
            assert item.change.after is not None
            wanted = kind.identity_of(item.change.after[kind.identity])
            namesakes = [
                i
                for i in lists[(item.path, kind.list_key)]
                if kind.identity_of(i.get(kind.identity)) == wanted
            ]
            if len(namesakes) > 1:
                found.append((item, keep_item(namesakes, kind.id_key)))
        return found

    def _give_way(self, item: Created, survivor: dict[str, Any], ids: dict[Address, str]) -> None:
        """Delete our copy (and what it holds) and carry on with the survivor."""
        change = item.change
        kept = str(survivor[change.kind.id_key])
        try:
            self._client.delete(change.address.instance_path(item.id, ids))
        except ApiError as error:
            if error.status != 404:
                raise
        ids[change.address] = kept
        self._converge(change, survivor, ids)
        self._warn(
            f"{change.address} was also created by another writer: kept {kept} (oldest date_created, then "
            f"lowest SID) and deleted this run's copy {item.id}"
        )

    def _converge(self, change: Change, survivor: dict[str, Any], ids: Mapping[Address, str]) -> None:
        """Send the written fields the survivor lacks (another writer may have written other values)."""
        kind = change.kind
        assert change.after is not None
        differing = changed_fields(kind, change.after, decode_response(kind, survivor))
        differing = [key for key in differing if kind.field(key).updatable]
        if differing:
            form = encode_form(kind, change.after, only=differing)
            self._client.update(change.address.instance_path(str(survivor[kind.id_key]), ids), form)
