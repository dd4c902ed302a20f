"""The pure diff: desired records against live records, by natural keys, into a Plan."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from verifyctl.errors import PlanError, UsageError
from verifyctl.plan.addresses import service_address_keys
from verifyctl.plan.model import Action, Change, Plan, fingerprint
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import CHILD_KINDS, KINDS, Kind
from verifyctl.resources.records import Record, child_address, identity_key

KIND_ORDER = {name: index for index, name in enumerate(KINDS)}


# Declaration index of each field per kind: changed fields are listed in this order.
FIELD_ORDER: dict[str, dict[str, int]] = {
    name: {key: index for index, key in enumerate(kind.field_keys)} for name, kind in KINDS.items()
}

SortKey = tuple[tuple[int, int, str], ...]


def _segment_order(kind: Kind, key: str) -> tuple[int, int, str]:
    # Buckets sort by interval as a number, so 60 comes before 3600.
    return (KIND_ORDER[kind.name], int(key) if kind.name == "bucket" and key.isdigit() else 0, key)


@dataclass
class _Builder:
    # Each change and its sort key (built from the records on the way down, not by re-parsing addresses).
    changes: list[Change] = field(default_factory=list)
    orders: list[SortKey] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    # The fields of every live object read, by "ADDRESS#ID": one dict instead of a tuple per object, as
    # tens of thousands of long-lived tuples tip CPython into a full collection of the whole heap.
    read: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, order: SortKey, change: Change) -> None:
        self.changes.append(change)
        self.orders.append(order)

    def sorted_changes(self) -> list[Change]:
        positions = sorted(range(len(self.changes)), key=self.orders.__getitem__)
        return [self.changes[position] for position in positions]


def make_plan(
    desired: Sequence[Record],
    live: Sequence[Record],
    *,
    prune: bool = False,
    targets: Sequence[Address] = (),
) -> Plan:
    """Diff desired services against live services (children read for the services in scope).

    A target that names nothing in the configuration or the live objects read is a usage error: a
    plan limited to nothing would report "No changes" while changes are pending.
    """
    target_services = {target.segments[0][1] for target in targets}
    pairs = match_services(desired, live)
    builder = _Builder()
    known: list[Address] = []
    for name, (wanted, current) in zip(service_address_keys(pairs), pairs, strict=True):
        if targets:
            known.append(Address.of_service(name))
        if targets and name not in target_services:
            continue
        address = f"service[{name}]"
        order: SortKey = ((KIND_ORDER["service"], 0, name),)
        if current is not None:
            _record_read(builder, current, address)
        if targets:
            for record in (wanted, current):
                if record is not None:
                    known.extend(_child_addresses(record, Address.of_service(name)))
        if wanted is None:
            assert current is not None
            if prune:
                _delete_tree(builder, current, address, None, order)
            continue
        _diff_object(builder, wanted, current, address, None, order)
    changes = builder.sorted_changes()
    if targets:
        check_targets_match(targets, known)
        changes = _restrict_to_targets(changes, targets)
    return Plan(
        changes=tuple(changes),
        ids=builder.ids,
        covered=len(builder.read),
        fingerprint=fingerprint(builder.read),
        targets=tuple(str(target) for target in targets),
    )


def _child_addresses(record: Record, address: Address) -> Iterator[Address]:
    for kind in CHILD_KINDS[record.kind.name]:
        for child in record.children.get(kind.name) or ():
            child_at = address.child(kind.name, child.key)
            yield child_at
            yield from _child_addresses(child, child_at)


def check_targets_match(targets: Sequence[Address], known: Sequence[Address]) -> None:
    """UsageError naming every target that matches no known object, with the closest known addresses."""
    identities = {address.identity for address in known}
    problems = []
    for target in targets:
        if target.identity in identities:
            continue
        spelled = sorted({str(address) for address in known})
        close = difflib.get_close_matches(str(target), spelled, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; check the address against the plan"
        problems.append(f"--target {str(target)!r} matches nothing in the configuration or the account{hint}")
    if problems:
        raise UsageError("; ".join(problems))


def match_services(
    desired: Sequence[Record], live: Sequence[Record]
) -> list[tuple[Record | None, Record | None]]:
    """Pair desired with live services: a `sid` pin first, else the friendly name; unmatched live last."""
    problems: list[str] = []
    by_id = {service.id: service for service in live}
    pinned_ids = {service.id for service in desired if service.id}
    by_name: dict[str, list[Record]] = {}
    for service in live:
        if service.id not in pinned_ids:
            by_name.setdefault(service.key, []).append(service)
    pairs: list[tuple[Record | None, Record | None]] = []
    claimed: set[str | None] = set()
    for wanted in desired:
        where = f" ({wanted.location})" if wanted.location else ""
        if wanted.id:
            current = by_id.get(wanted.id)
            if current is None and not wanted.absent:
                problems.append(
                    f"service[{wanted.key}]{where}: pinned sid {wanted.id} does not exist in the account "
                    "(a service cannot be created with a chosen sid; remove the pin to create it)"
                )
                continue
        else:
            candidates = by_name.get(wanted.key, [])
            if len(candidates) > 1:
                sids = ", ".join(sorted(str(c.id) for c in candidates))
                problems.append(
                    f"service[{wanted.key}]{where}: {len(candidates)} live services share this friendly name "
                    f"({sids}); pin one with `sid:`"
                )
                continue
            current = candidates[0] if candidates else None
        if current is not None:
            claimed.add(current.id)
        pairs.append((wanted, current))
    if problems:
        raise PlanError("\n".join(problems))
    pairs.extend((None, service) for service in live if service.id not in claimed)
    return pairs


def _record_read(builder: _Builder, current: Record, address: str) -> None:
    builder.read[f"{address}#{current.id}"] = current.fields
    if current.id is not None:
        builder.ids[address] = current.id
    for kind in CHILD_KINDS[current.kind.name]:
        children = current.children.get(kind.name)
        if children:
            prefix = f"{address}/{kind.name}["  # child_address, without a call per child
            for child in children:
                _record_read(builder, child, f"{prefix}{child.key}]")


def _diff_object(
    builder: _Builder,
    wanted: Record,
    current: Record | None,
    address: str,
    parent: str | None,
    order: SortKey,
) -> None:
    kind = wanted.kind
    if wanted.absent:
        if current is not None:
            _delete_tree(builder, current, address, parent, order)
        return
    if current is None:
        fields = dict(wanted.fields)
        builder.add(
            order, Change(address, kind.name, Action.CREATE, None, fields, tuple(fields), parent=parent)
        )
        _diff_children(builder, wanted, None, address, order)
        return
    # Most objects of a large account are unchanged: a C-level subset test of the written items says so.
    unchanged = wanted.fields.items() <= current.fields.items()
    changed = [] if unchanged else changed_fields(kind, wanted.fields, current.fields)
    respelled = kind.identity_immutable_reason and str(current.fields.get(kind.identity)) != wanted.key
    if not changed and not respelled:
        # The common case on a large account: nothing to build but the children's diff.
        _diff_children(builder, wanted, current, address, order)
        return
    after = {**current.fields, **wanted.fields}
    immutable = [k for k in changed if not kind.field(k).updatable]
    if immutable or respelled:
        if respelled and kind.identity not in changed:
            changed = [kind.identity, *changed]
        reason = kind.identity_immutable_reason or f"{', '.join(immutable)} cannot be updated"
        builder.add(
            order,
            Change(
                address,
                kind.name,
                Action.REPLACE,
                current.fields,
                after,
                tuple(changed),
                current.id,
                parent=parent,
                reason=reason,
            ),
        )
        # The live object's children go with it; the replacement starts with none, so every written
        # child is created under it.
        _cascade(builder, current, address, address, order)
        _diff_children(builder, wanted, None, address, order)
        return
    update = Change(
        address, kind.name, Action.UPDATE, current.fields, after, tuple(changed), current.id, parent
    )
    builder.add(order, update)
    _diff_children(builder, wanted, current, address, order)


def _diff_children(
    builder: _Builder, wanted: Record, current: Record | None, address: str, order: SortKey
) -> None:
    for kind in CHILD_KINDS[wanted.kind.name]:
        desired_children = wanted.children.get(kind.name)
        if desired_children is None:
            continue  # not written: unmanaged
        live_children = _live_children(current, kind)
        by_identity: dict[str, list[Record]] = {}
        for child in live_children:
            by_identity.setdefault(identity_key(kind, child.key), []).append(child)
        prefix = f"{address}/{kind.name}["  # child_address, without a call per child
        for child in desired_children:
            matches = by_identity.get(identity_key(kind, child.key))
            match = matches.pop(0) if matches else None
            child_order = (*order, _segment_order(kind, child.key))
            _diff_object(builder, child, match, f"{prefix}{child.key}]", address, child_order)
        # A written child list is authoritative: live children it does not name are deleted.
        for leftovers in by_identity.values():
            for extra in leftovers:
                extra_order = (*order, _segment_order(kind, extra.key))
                _delete_tree(builder, extra, child_address(address, extra), address, extra_order)


def _live_children(current: Record | None, kind: Kind) -> list[Record]:
    if current is None:
        return []
    if kind.name not in current.children:
        # Never plan past an unread list: a delete would hide its children, a diff would miss objects.
        raise PlanError(f"internal: the {kind.name} children of {current.key} were not read")
    return current.children[kind.name]


def changed_fields(kind: Kind, wanted: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Written fields whose value differs from the live one, in declaration order."""
    order = FIELD_ORDER[kind.name]
    # Walk the few written fields, not every declared one: most objects write two or three.
    changed = [key for key, value in wanted.items() if key in order and value != current.get(key)]
    if len(changed) > 1:
        changed.sort(key=order.__getitem__)
    return changed


def _delete_tree(
    builder: _Builder, current: Record, address: str, parent: str | None, order: SortKey
) -> None:
    """Delete `current` and list every live child that goes with it."""
    builder.add(
        order, Change(address, current.kind.name, Action.DELETE, current.fields, None, (), current.id, parent)
    )
    _cascade(builder, current, address, address, order)


def _cascade(builder: _Builder, current: Record, address: str, root: str, order: SortKey) -> None:
    """The live children of `current` (deleted or replaced as `root`), each as a delete that goes with it."""
    for kind in CHILD_KINDS[current.kind.name]:
        prefix = f"{address}/{kind.name}["
        for child in _live_children(current, kind):
            child_at = f"{prefix}{child.key}]"
            child_order = (*order, _segment_order(kind, child.key))
            builder.add(
                child_order,
                Change(
                    child_at,
                    kind.name,
                    Action.DELETE,
                    child.fields,
                    None,
                    (),
                    child.id,
                    address,
                    reason=f"deleted with {root}",
                    deleted_with=root,
                ),
            )
            _cascade(builder, child, child_at, root, child_order)


def _restrict_to_targets(changes: list[Change], targets: Sequence[Address]) -> list[Change]:
    """Changes under a target, plus what they cannot happen without: the creates or replaces of their
    ancestors, and for a child deleted with its parent, that parent's delete (and so all it takes along)."""
    # Cascaded deletes are left out of the lookup: under a replace they share the address of a create.
    by_address = {change.address: change for change in changes if change.deleted_with is None}
    keep: set[str] = set()
    for change in changes:
        if any(target.covers(Address.parse(change.address)) for target in targets):
            keep.add(change.deleted_with or change.address)
            parent = change.parent
            while parent is not None and parent in by_address:
                ancestor = by_address[parent]
                if ancestor.action in (Action.CREATE, Action.REPLACE):
                    keep.add(parent)
                parent = ancestor.parent
    return [change for change in changes if (change.deleted_with or change.address) in keep]
