"""API paths of the objects a plan names, resolved from the ids known so far."""

from __future__ import annotations

from collections.abc import Mapping

from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import KINDS, Kind


class UnresolvedParent(Exception):
    """A parent's id is not known (its create failed or never ran)."""


def parent_ids(address: str, ids: Mapping[str, str]) -> dict[str, str]:
    """The `{service_sid}` / `{rate_limit_sid}` values of the ancestors of `address`."""
    segments = Address.parse(address).segments
    values: dict[str, str] = {}
    for depth in range(1, len(segments)):
        ancestor = str(Address(segments[:depth]))
        kind = segments[depth - 1][0]
        if ancestor not in ids:
            raise UnresolvedParent(ancestor)
        values[f"{kind}_sid"] = ids[ancestor]
    return values


def collection_of(kind: Kind, address: str, ids: Mapping[str, str]) -> str:
    return kind.collection_path.format(**parent_ids(address, ids))


def instance_of(kind: Kind, address: str, object_id: str, ids: Mapping[str, str]) -> str:
    return kind.instance_path.format(id=object_id, **parent_ids(address, ids))


def kind_of(name: str) -> Kind:
    return KINDS[name]
