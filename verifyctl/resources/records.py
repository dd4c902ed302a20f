"""Resource records: one neutral shape for desired and live objects, addressed as `service[A]/webhook[b]`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verifyctl.resources.codec import decode_response
from verifyctl.resources.kinds import CHILD_KINDS, Kind


def identity_key(kind: Kind, value: Any) -> str:
    """The value objects of `kind` are matched by within their parent (the kind's own rule)."""
    return kind.identity_of(value)


@dataclass
class Record:
    """One Verify object. Desired records hold only written fields; live records hold every declared field.

    `children` maps a child kind name to its records; a kind missing from it is unmanaged (desired)
    or was not read (live).
    """

    kind: Kind
    key: str
    fields: dict[str, Any]
    id: str | None = None
    children: dict[str, list[Record]] = field(default_factory=dict)
    absent: bool = False
    location: str = ""
    # A service's `default_template` (a template friendly name), resolved at plan time into the
    # `default_template_sid` field; desired services only.
    default_template: str | None = None

    @property
    def identity(self) -> str:
        return identity_key(self.kind, self.key)

    def segment(self) -> str:
        return f"{self.kind.name}[{self.key}]"


def child_address(parent_address: str | None, record: Record) -> str:
    return f"{parent_address}/{record.segment()}" if parent_address else record.segment()


def live_record(kind: Kind, response: dict[str, Any]) -> Record:
    """A live record from one API response object."""
    fields = decode_response(kind, response)
    return Record(kind=kind, key=str(fields[kind.identity]), fields=fields, id=str(response.get(kind.id_key)))


def count_records(records: list[Record]) -> int:
    """How many objects a tree of records holds, children included."""
    total = 0
    for record in records:
        total += 1
        for kind in CHILD_KINDS[record.kind.name]:
            total += count_records(record.children.get(kind.name, []))
    return total
