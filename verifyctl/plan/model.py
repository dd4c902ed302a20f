"""The Plan value: ordered changes, their summary, and a stable JSON form that doubles as the saved plan."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from verifyctl.plan.json_text import dumps_indented

FORMAT_VERSION = 1


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"


# slots: a plan over a large account holds tens of thousands of changes; no per-instance dict each.
@dataclass(frozen=True, slots=True)
class Change:
    """One change to one object. `before` is the live object as read; `after` what it will be."""

    address: str
    kind: str
    action: Action
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changed_fields: tuple[str, ...]
    # The live object's id (SID, or country for messaging configurations) for update/delete/replace.
    id: str | None = None
    # The address of the parent object, None for services.
    parent: str | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "action": self.action.value,
            "id": self.id,
            "parent": self.parent,
            "changed_fields": list(self.changed_fields),
            "before": self.before,
            "after": self.after,
            "reason": self.reason or None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        return cls(
            address=str(data["address"]),
            kind=str(data["kind"]),
            action=Action(data["action"]),
            before=data.get("before"),
            after=data.get("after"),
            changed_fields=tuple(data.get("changed_fields") or ()),
            id=data.get("id"),
            parent=data.get("parent"),
            reason=data.get("reason") or "",
        )


@dataclass(frozen=True)
class Summary:
    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0

    @property
    def total(self) -> int:
        return self.add + self.change + self.destroy + self.replace

    def to_dict(self) -> dict[str, int]:
        return {"add": self.add, "change": self.change, "destroy": self.destroy, "replace": self.replace}


@dataclass(frozen=True)
class Plan:
    """What `apply` would do, made from desired and live state. Pure data; equal inputs give equal plans."""

    changes: tuple[Change, ...]
    # Live ids of every object the plan read, by address, so apply can address children of unchanged parents.
    ids: dict[str, str] = field(default_factory=dict)
    # How many live objects the plan covered (for the safety threshold).
    covered: int = 0
    # A digest of every live object the plan read.
    fingerprint: str = ""
    account_sid: str = ""
    api_url: str = ""

    @property
    def summary(self) -> Summary:
        counts = {action: 0 for action in Action}
        for change in self.changes:
            counts[change.action] += 1
        return Summary(
            add=counts[Action.CREATE],
            change=counts[Action.UPDATE],
            destroy=counts[Action.DELETE],
            replace=counts[Action.REPLACE],
        )

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def with_target(self, account_sid: str, api_url: str) -> Plan:
        return Plan(self.changes, self.ids, self.covered, self.fingerprint, account_sid, api_url)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "account_sid": self.account_sid,
            "api_url": self.api_url,
            "summary": self.summary.to_dict(),
            "changes": [change.to_dict() for change in self.changes],
            # Sorting the keys, not the items: 45,000 (key, value) tuples would set off a full collection.
            "ids": {address: self.ids[address] for address in sorted(self.ids)},
            "covered": self.covered,
            "fingerprint": self.fingerprint,
        }

    def to_json(self) -> str:
        return dumps_indented(self.to_dict()) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported plan format_version {data.get('format_version')!r}")
        return cls(
            changes=tuple(Change.from_dict(c) for c in data["changes"]),
            ids={str(k): str(v) for k, v in (data.get("ids") or {}).items()},
            covered=int(data.get("covered") or 0),
            fingerprint=str(data.get("fingerprint") or ""),
            account_sid=str(data.get("account_sid") or ""),
            api_url=str(data.get("api_url") or ""),
        )


def fingerprint(objects: Mapping[str, dict[str, Any]]) -> str:
    """A digest of the live objects read, fields by "ADDRESS#ID"; any live change alters it.

    repr() of plain values (str, int, bool, None, lists) is deterministic and, unlike json.dumps, needs
    no encoder pass. Live fields are decoded in declaration order and the objects are sorted by key, so
    equal reads give equal digests. Keys and values go in two lists rather than as (key, value) tuples:
    tens of thousands of new tuples would set off a full garbage collection of the whole heap.
    """
    addresses = sorted(objects)
    canonical = repr(addresses) + repr([objects[address] for address in addresses])
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
