"""The pure diff: desired records against live records, by natural keys, into a Plan."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from verifyctl.errors import PlanError, UsageError
from verifyctl.plan.duplicates import duplicate_reason
from verifyctl.plan.model import Action, Change, Plan, fingerprint
from verifyctl.plan.scope import Scope
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import KINDS, Kind
from verifyctl.resources.records import DesiredRecord, LiveRecord, Record
from verifyctl.resources.survivor import keep_record

KIND_ORDER = {name: index for index, name in enumerate(KINDS)}

# Declaration index of each field per kind: changed fields are listed in this order.
FIELD_ORDER: dict[str, dict[str, int]] = {
    name: {key: index for index, key in enumerate(kind.field_keys)} for name, kind in KINDS.items()
}

SortKey = tuple[tuple[int, int, str], ...]


def _segment_order(kind: Kind, key: str) -> tuple[int, int, str]:
    number, text = kind.sort_key(key)
    return (KIND_ORDER[kind.name], number, text)


@dataclass
class _Builder:
    # Each change and its sort key (built from the records on the way down, not by re-parsing addresses).
    changes: list[Change] = field(default_factory=list)
    orders: list[SortKey] = field(default_factory=list)
    ids: dict[Address, str] = field(default_factory=dict)
    # The fields of every live object read, by "ADDRESS#ID", for the fingerprint and the covered count.
    read: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def add(self, order: SortKey, change: Change) -> None:
        self.changes.append(change)
        self.orders.append(order)

    def sorted_changes(self) -> list[Change]:
        positions = sorted(range(len(self.changes)), key=self.orders.__getitem__)
        return [self.changes[position] for position in positions]


def make_plan(
    desired: Sequence[DesiredRecord],
    live: Sequence[LiveRecord],
    *,
    prune: bool = False,
    targets: Sequence[Address] = (),
) -> Plan:
    """Match and diff in one call (for callers that already hold every live record they need)."""
    return diff(Scope.of(desired, live, targets=targets, prune=prune))


def diff(scope: Scope) -> Plan:
    """Diff the services in scope (children read for them) into a Plan.

    A target that names nothing in the configuration or the live objects read is a usage error: a
    plan limited to nothing would report "No changes" while changes are pending.
    """
    builder = _Builder()
    known: list[Address] = []
    for pair in scope.pairs:
        if scope.targets:
            known.append(pair.address)
        if not pair.in_scope:
            continue
        wanted, current, address = pair.wanted, pair.current, pair.address
        order: SortKey = ((KIND_ORDER["service"], 0, address.key),)
        if current is not None:
            _record_read(builder, current, address)
        if scope.targets:
            for record in (wanted, current):
                if record is not None:
                    known.extend(_child_addresses(record, address))
        if wanted is None:
            assert current is not None
            if scope.deleted(pair):
                kept = scope.duplicates.get(current.id)
                reason = duplicate_reason(str(kept), builder.ids.get(kept, "")) if kept else ""
                _delete_tree(builder, current, address, order, reason)
            continue
        _diff_object(builder, wanted, current, address, order)
    _diff_safe_list(builder, scope, known)
    changes = builder.sorted_changes()
    if scope.targets:
        check_targets_match(scope.targets, known)
        changes = _restrict_to_targets(changes, scope.targets)
    return Plan(
        changes=tuple(changes),
        ids=builder.ids,
        covered=len(builder.read),
        fingerprint=fingerprint(builder.read),
        targets=tuple(str(target) for target in scope.targets),
    )


def _diff_safe_list(builder: _Builder, scope: Scope, known: list[Address]) -> None:
    """Declared numbers against what their GETs found: add the missing, remove the `absent` ones listed."""
    for number in scope.safe_list:
        if scope.targets:
            known.append(number.address)
        if not number.in_scope:
            continue
        if number.current is not None:
            _record_read(builder, number.current, number.address)
        order: SortKey = (_segment_order(number.wanted.kind, number.wanted.key),)
        _diff_object(builder, number.wanted, number.current, number.address, order)


def _child_addresses(record: Record, address: Address) -> Iterator[Address]:
    for kind in record.kind.children:
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


def _record_read(builder: _Builder, current: LiveRecord, address: Address) -> None:
    builder.read[f"{address}#{current.id}"] = current.fields
    builder.ids[address] = current.id
    for kind in current.kind.children:
        children = current.children.get(kind.name) or ()
        identities = [child.identity for child in children]
        if len(set(identities)) == len(identities):
            # The common case: no two children share an identity, so each is at its own key.
            for child in children:
                _record_read(builder, child, address.child(kind.name, child.key))
            continue
        by_identity: dict[str, list[LiveRecord]] = {}
        for child, identity in zip(children, identities, strict=True):
            by_identity.setdefault(identity, []).append(child)
        for child in children:
            # A duplicate is recorded at its id-keyed address, the name left to the one kept (see
            # _extra_address): each address names one object.
            siblings = by_identity[child.identity]
            duplicate = len(siblings) > 1 and keep_record(siblings) is not child
            _record_read(builder, child, address.child(kind.name, child.id if duplicate else child.key))


def _diff_object(
    builder: _Builder,
    wanted: DesiredRecord,
    current: LiveRecord | None,
    address: Address,
    order: SortKey,
) -> None:
    kind = wanted.kind
    if wanted.absent:
        if current is not None:
            _delete_tree(builder, current, address, order)
        return
    if current is None:
        fields = dict(wanted.fields)
        builder.add(order, Change(address, Action.CREATE, None, fields, tuple(fields)))
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
            Change(address, Action.REPLACE, current.fields, after, tuple(changed), current.id, reason=reason),
        )
        # The live object's children go with it; the replacement starts with none, so every written
        # child is created under it.
        _cascade(builder, current, address, address, order)
        _diff_children(builder, wanted, None, address, order)
        return
    builder.add(order, Change(address, Action.UPDATE, current.fields, after, tuple(changed), current.id))
    _diff_children(builder, wanted, current, address, order)


def _diff_children(
    builder: _Builder, wanted: DesiredRecord, current: LiveRecord | None, address: Address, order: SortKey
) -> None:
    for kind in wanted.kind.children:
        desired_children = wanted.children.get(kind.name)
        if desired_children is None:
            continue  # not written: unmanaged
        by_identity: dict[str, list[LiveRecord]] = {}
        for child in _live_children(current, kind):
            by_identity.setdefault(child.identity, []).append(child)
        first = {identity: keep_record(records) for identity, records in by_identity.items()}
        kept: dict[str, LiveRecord] = {}
        for wanted_child in desired_children:
            matches = by_identity.get(wanted_child.identity)
            # Several live children of one identity (racing creates): the rule's survivor is matched.
            match = keep_record(matches) if matches else None
            if matches and match is not None:
                matches.remove(match)
                kept[wanted_child.identity] = match
            child_at = address.child(kind.name, wanted_child.key)
            _diff_object(
                builder, wanted_child, match, child_at, (*order, _segment_order(kind, wanted_child.key))
            )
        # A written child list is authoritative: live children it does not name are deleted.
        for identity, leftovers in by_identity.items():
            for extra in leftovers:
                extra_order = (*order, _segment_order(kind, extra.key))
                survivor = kept.get(identity)
                reason = (
                    duplicate_reason(str(address.child(kind.name, survivor.key)), survivor.id)
                    if survivor
                    else ""
                )
                # A duplicate's address carries its id, so that it never shares the kept one's (a plan
                # keeps ids by address); the same rule as _record_read's.
                key = extra.key if extra is first[identity] else extra.id
                _delete_tree(builder, extra, address.child(kind.name, key), extra_order, reason)


def _live_children(current: LiveRecord | None, kind: Kind) -> Sequence[LiveRecord]:
    if current is None:
        return ()
    if kind.name not in current.children:
        # Never plan past an unread list: a delete would hide its children, a diff would miss objects.
        raise PlanError(f"internal: the {kind.name} children of {current.key} were not read")
    return current.children[kind.name]


def changed_fields(kind: Kind, wanted: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Written fields whose value differs from the live one, in declaration order."""
    order = FIELD_ORDER[kind.name]
    # Walk the few written fields, not every declared one: most objects write two or three.
    changed = [key for key, value in wanted.items() if key in order and value != current.get(key)]
    if len(changed) > 1:
        changed.sort(key=order.__getitem__)
    return changed


def _delete_tree(
    builder: _Builder, current: LiveRecord, address: Address, order: SortKey, reason: str = ""
) -> None:
    """Delete `current` and list every live child that goes with it."""
    builder.add(order, Change(address, Action.DELETE, current.fields, None, (), current.id, reason))
    _cascade(builder, current, address, address, order)


def _cascade(builder: _Builder, current: LiveRecord, address: Address, root: Address, order: SortKey) -> None:
    """The live children of `current` (deleted or replaced as `root`), each as a delete that goes with it."""
    for kind in current.kind.children:
        for child in _live_children(current, kind):
            child_at = address.child(kind.name, child.key)
            child_order = (*order, _segment_order(kind, child.key))
            reason = f"deleted with {root}"
            builder.add(
                child_order,
                Change(child_at, Action.DELETE, child.fields, None, (), child.id, reason, deleted_with=root),
            )
            _cascade(builder, child, child_at, root, child_order)


def _restrict_to_targets(changes: list[Change], targets: Sequence[Address]) -> list[Change]:
    """Changes under a target, plus what they cannot happen without: the creates or replaces of their
    ancestors, and for a child deleted with its parent, that parent's delete (and so all it takes along)."""
    # Cascaded deletes are left out of the lookup: under a replace they share the address of a create.
    by_address = {change.address: change for change in changes if change.deleted_with is None}
    keep: set[Address] = set()
    for change in changes:
        if any(target.covers(change.address) for target in targets):
            keep.add(change.deleted_with or change.address)
            parent = change.parent
            while parent is not None and parent in by_address:
                ancestor = by_address[parent]
                if ancestor.action in (Action.CREATE, Action.REPLACE):
                    keep.add(parent)
                parent = ancestor.parent
    return [change for change in changes if (change.deleted_with or change.address) in keep]
