"""What `show` and `output` read: the live service (with its children) of each service the files declare."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from verifyctl.engine.desired import Desired
from verifyctl.plan.scope import match_services
from verifyctl.resources.kinds import ALL_CHILD_KINDS
from verifyctl.resources.records import LiveRecord
from verifyctl.state.reader import ListingClient, read_children, read_services


@dataclass(frozen=True)
class Entry:
    """A declared service (by its friendly name in the files) and the live one it is, if any."""

    name: str
    live: LiveRecord | None


def read_inventory(client: ListingClient, desired: Desired, pool: Executor) -> list[Entry]:
    """Each declared service (not `ensure: absent`) in file order, matched as a plan matches it."""
    pairs = match_services(desired.services, read_services(client))
    wanted = [(w, c) for w, c in pairs if w is not None and not w.absent]
    found = [c for _, c in wanted if c is not None]
    read = read_children(client, found, {s.id: ALL_CHILD_KINDS for s in found}, pool)
    return [Entry(w.key, read.get(c.id, c) if c is not None else None) for w, c in wanted]


def as_tree(record: LiveRecord) -> dict[str, Any]:
    """A live record and its children as plain data: kind, key, sid, children."""
    children = [
        as_tree(child) for kind in record.kind.children for child in record.children.get(kind.name, ())
    ]
    return {"kind": record.kind.name, "key": record.key, "sid": record.id, "children": children}
