"""Confirm creates against racing writers: one list per collection, keep the rule's survivor, drop ours."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol

from verifyctl.client.retry import RetryPolicy
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
# How long after a create returned its second (`date_created` has one-second resolution) is surely over:
# the last check reads no sooner (docs/plans-and-apply.md, "The last check", says why).
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
    """An object this run created: its change, its id, the collection it lives in, and when the create
    had returned (on the retry policy's clock)."""

    change: Change
    id: str
    path: str
    at: float


@dataclass(frozen=True)
class Unsettled:
    """A created object that ended under another copy (`root`: create again, under the survivor now at
    that address, what this run created under it) or that could not be settled (`detail` says why)."""

    created: Created
    root: Address | None
    detail: str


# Each listed collection's items grouped by identity; None for a collection whose parent is gone (404).
Listed = dict[str, dict[str, list[dict[str, Any]]] | None]


class Confirmer:
    """Checks this run's creates for copies made by another writer, with one list per collection."""

    def __init__(
        self,
        client: ConfirmClient,
        pool: Executor,
        warn: Callable[[str], None],
        timing: RetryPolicy | None = None,
    ) -> None:
        self._client = client
        self._pool = pool
        self._warn = warn
        self._timing = timing if timing is not None else RetryPolicy()

    def now(self) -> float:
        """The time on the clock `Created.at` is read from."""
        return self._timing.clock()

    def confirm(self, created: Sequence[Created], ids: dict[Address, str]) -> set[Address]:
        """Right after a wave: for each create that has a namesake, keep the rule's survivor. When that
        is not ours, delete ours (it has no children yet) and point `ids` at the survivor, so that the
        next waves create children under it. Returns the addresses that lost."""
        listed = self._lists(created)
        lost: set[Address] = set()
        for item in created:
            survivor = self._survivor(item, listed)
            if survivor is not None and str(survivor[item.change.kind.id_key]) != item.id:
                self._give_way(item, survivor, ids)
                lost.add(item.change.address)
        return lost

    def settle(self, created: Sequence[Created], ids: dict[Address, str]) -> list[Unsettled]:
        """After the last wave, once the second of the last create is over: a copy of ours that the rule
        does not keep is deleted and reported for re-homing, so is what lived under a parent that another
        writer deleted as its duplicate; another writer's losing copy is waited for a while, then
        reported."""
        pending = list(created)
        unsettled: list[Unsettled] = []
        if pending:
            self._pause(max(item.at for item in pending) + TIE_WINDOW_SECONDS - self.now())

        def rehomed(item: Created) -> bool:
            return any(u.root is not None and u.root.covers(item.change.address) for u in unsettled)

        for attempt in range(SETTLE_READS):
            foreign: list[Created] = []
            listed = self._lists(pending)
            # Parents first: what a losing parent held goes with it and is created again under the survivor.
            for item in sorted(pending, key=lambda item: len(item.change.address.segments)):
                if rehomed(item):
                    continue
                if listed[item.path] is None:
                    unsettled.append(self._orphaned(item, ids))
                    continue
                survivor = self._survivor(item, listed)
                if survivor is None:
                    continue
                if str(survivor[item.change.kind.id_key]) != item.id:
                    self._give_way(item, survivor, ids)
                    unsettled.append(Unsettled(item, item.change.address, ""))
                else:
                    foreign.append(item)
            pending = [item for item in foreign if not rehomed(item)]
            if not pending:
                break
            if attempt < SETTLE_READS - 1:
                self._pause(SETTLE_PAUSE_SECONDS)
        for item in pending:
            detail = (
                f"another writer's copy of {item.change.address} is still in the account beside ours "
                f"({item.id}, which the rule keeps); run plan to resolve it"
            )
            unsettled.append(Unsettled(item, None, detail))
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

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._timing.pause(seconds)

    def _orphaned(self, item: Created, ids: dict[Address, str]) -> Unsettled:
        """A created object whose parent is gone: another writer deleted the parent as its duplicate (and
        ours with it), so what this run created under it goes under the parent's survivor."""
        parent = item.change.address.parent
        assert parent is not None  # a collection that can be gone has a parent
        gone = ids.get(parent)
        if self.relocate(parent, ids):
            return Unsettled(item, parent, "")
        return Unsettled(item, None, f"{parent} {gone} was deleted by another writer, and no copy is left")

    def _lists(self, created: Sequence[Created]) -> Listed:
        """One list of each collection the objects live in, grouped by identity: one pass over each list,
        so that confirming costs time in proportion to what is listed and created, never their product."""
        kinds = {item.path: item.change.kind for item in created}
        under_parent = {item.path for item in created if item.change.address.parent is not None}
        paths = sorted(kinds)

        def read(path: str) -> list[dict[str, Any]] | None:
            try:
                return self._client.list(path, kinds[path].list_key)
            except ApiError as error:
                if error.status == 404 and path in under_parent:
                    return None  # the parent is gone
                raise

        listed: Listed = {}
        for path, items in zip(paths, self._pool.map(read, paths), strict=True):
            if items is None:
                listed[path] = None
                continue
            kind = kinds[path]
            grouped: dict[str, list[dict[str, Any]]] = {}
            for listed_item in items:
                grouped.setdefault(kind.identity_of(listed_item.get(kind.identity)), []).append(listed_item)
            listed[path] = grouped
        return listed

    @staticmethod
    def _survivor(item: Created, listed: Listed) -> dict[str, Any] | None:
        """The rule's survivor among the listed namesakes of a created object, when there is a choice to
        make: another copy beside ours, or ours gone (another writer deleted it) and another left."""
        kind = item.change.kind
        assert item.change.after is not None
        grouped = listed[item.path]
        assert grouped is not None
        namesakes = grouped.get(kind.identity_of(item.change.after[kind.identity]), [])
        if not namesakes or (len(namesakes) == 1 and str(namesakes[0][kind.id_key]) == item.id):
            return None
        return keep_item(namesakes, kind.id_key)

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
