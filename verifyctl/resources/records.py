"""Resource records: frozen desired objects (from the files) and live objects (from the API)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from verifyctl.resources.codec import decode_response
from verifyctl.resources.kinds import Kind


def identity_key(kind: Kind, value: Any) -> str:
    """The value objects of `kind` are matched by within their parent (the kind's own rule)."""
    return kind.identity_of(value)


@dataclass(frozen=True, slots=True, eq=False)
class Location:
    """FILE:LINE:COL of an object in the files, worked out when a message first shows it.

    Only messages show it (an ambiguous rename, an unknown template), and working out the places of
    every service of a 2,000-service file cost a plan 0.2 s before its first request.
    """

    locate: Callable[[Any], str]
    item: Any

    def __str__(self) -> str:
        return self.locate(self.item)

    def __bool__(self) -> bool:
        return bool(str(self))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Location | str) and str(self) == str(other)

    __hash__ = None  # type: ignore[assignment]  # equal to its text, which may change: unhashable


def locate_lazily(locate: Callable[[Any], str] | None, item: Any) -> Location | str:
    """The item's Location when the files can tell it, else ""."""
    return Location(locate, item) if locate is not None else ""


@dataclass(frozen=True, slots=True)
class DesiredRecord:
    """One object as the files describe it: only the fields written are managed.

    `children` maps a child kind name to its records; a kind missing from it is not written, so the
    live children of that kind are left alone.
    """

    kind: Kind
    key: str
    fields: Mapping[str, Any]
    # A `sid:` pin (services only).
    id: str | None = None
    children: Mapping[str, Sequence[DesiredRecord]] = field(default_factory=dict)
    absent: bool = False
    # FILE:LINE:COL of the object in the configuration, for messages.
    location: Location | str = ""
    # A service's `default_template` (a template friendly name), resolved at plan time into the
    # `default_template_sid` field.
    default_template: str | None = None
    # A service's former friendly names (`formerly:`): a rename without a `sid` pin.
    formerly: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        return self.kind.identity_of(self.key)


@dataclass(frozen=True, slots=True)
class LiveRecord:
    """One object as the API answered it: every declared field, and the children read (if any).

    A kind missing from `children` was not read.
    """

    kind: Kind
    key: str
    fields: Mapping[str, Any]
    id: str
    children: Mapping[str, Sequence[LiveRecord]] = field(default_factory=dict)
    # The API's `date_created` ("" when not answered): which of two duplicates is kept goes by it.
    created: str = ""

    @property
    def identity(self) -> str:
        return self.kind.identity_of(self.key)

    def with_children(self, children: Mapping[str, Sequence[LiveRecord]]) -> LiveRecord:
        return replace(self, children=children)


Record = DesiredRecord | LiveRecord


def live_record(kind: Kind, response: dict[str, Any]) -> LiveRecord:
    """A live record from one API response object."""
    fields = decode_response(kind, response)
    return LiveRecord(
        kind=kind,
        key=str(fields[kind.identity]),
        fields=fields,
        id=str(response.get(kind.id_key)),
        created=str(response.get("date_created") or ""),
    )


def count_records(records: Sequence[Record]) -> int:
    """How many objects a tree of records holds, children included."""
    total = 0
    for record in records:
        total += 1
        for kind in record.kind.children:
            total += count_records(record.children.get(kind.name, ()))
    return total
