"""The Scope of a plan: desired and live services matched once, which are in scope, and what to read."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from verifyctl.errors import PlanError
from verifyctl.plan.duplicates import duplicate_services
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import ALL_CHILD_KINDS
from verifyctl.resources.records import DesiredRecord, LiveRecord
from verifyctl.resources.survivor import keep_record


@dataclass(frozen=True, slots=True)
class ServicePair:
    """A desired service and the live one it matched (either may be missing), at its plan address."""

    address: Address
    wanted: DesiredRecord | None
    current: LiveRecord | None
    in_scope: bool


@dataclass(frozen=True, slots=True)
class SafeListPair:
    """A declared Safe List number and, once read, the live entry (None: not on the list)."""

    address: Address
    wanted: DesiredRecord
    current: LiveRecord | None
    in_scope: bool


@dataclass(frozen=True)
class Scope:
    """Every service of the files and the account, matched (the one place services are paired), and the
    Safe List numbers the files declare."""

    pairs: tuple[ServicePair, ...]
    targets: tuple[Address, ...] = ()
    prune: bool = False
    # The declared Safe List numbers: the API has no list, so only these are ever read or changed.
    safe_list: tuple[SafeListPair, ...] = ()
    # Live services deleted as duplicates, by id: the address of the service kept in their place.
    duplicates: Mapping[str, Address] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        desired: Sequence[DesiredRecord],
        live: Sequence[LiveRecord],
        *,
        targets: Sequence[Address] = (),
        prune: bool = False,
        safe_list: Sequence[DesiredRecord] = (),
    ) -> Scope:
        """Match desired services to live ones (a `sid` pin first, else the friendly name)."""
        matched = match_services(desired, live)
        losers = duplicate_services(matched)
        keys = service_address_keys(matched, frozenset(losers))
        target_services = {target.segments[0][1] for target in targets if target.segments[0][0] == "service"}
        pairs = tuple(
            ServicePair(Address.of_service(key), wanted, current, not targets or key in target_services)
            for key, (wanted, current) in zip(keys, matched, strict=True)
        )
        # A duplicate is in scope with the service kept in its place (a --target names that one).
        pairs = tuple(
            replace(pair, in_scope=not targets or losers[pair.current.id].key in target_services)
            if pair.current is not None and pair.current.id in losers
            else pair
            for pair in pairs
        )
        kept = {pair.current.id: pair.address for pair in pairs if pair.current is not None}
        duplicates = {sid: kept[survivor.id] for sid, survivor in losers.items()}
        numbers = []
        for wanted in safe_list:
            address = Address.of_safe_list(wanted.key)
            in_scope = not targets or any(target.covers(address) for target in targets)
            numbers.append(SafeListPair(address, wanted, None, in_scope))
        return cls(pairs, tuple(targets), prune, tuple(numbers), duplicates)

    def deleted(self, pair: ServicePair) -> bool:
        """Whether the plan deletes this pair's live service (`ensure: absent`, or `prune` when unlisted)."""
        if pair.current is None:
            return False
        if pair.current.id in self.duplicates:
            return True
        return pair.wanted.absent if pair.wanted is not None else self.prune

    def children_to_read(self) -> dict[str, frozenset[str]]:
        """Map live service id -> child kinds to read ("bucket" meaning the buckets of its rate limits).

        A service that will be deleted needs every child list: the plan lists each object the delete
        takes with it. A written `rate_limits:` list needs the buckets too, since a rate limit it
        removes or replaces takes its buckets along.
        """
        needs: dict[str, frozenset[str]] = {}
        for pair in self.pairs:
            if pair.current is None or not pair.in_scope:
                continue
            if self.deleted(pair):
                needs[pair.current.id] = ALL_CHILD_KINDS
                continue
            if pair.wanted is None:
                continue
            kinds = set(pair.wanted.children)
            if "rate_limit" in kinds:
                kinds.add("bucket")
            if kinds:
                needs[pair.current.id] = frozenset(kinds)
        return needs

    def with_live(self, live: Mapping[str, LiveRecord]) -> Scope:
        """This scope with its live services replaced by the records (children read) of the same id."""
        return replace(
            self,
            pairs=tuple(
                replace(pair, current=live.get(pair.current.id, pair.current)) if pair.current else pair
                for pair in self.pairs
            ),
        )

    def with_safe_list(self, live: Mapping[str, LiveRecord | None]) -> Scope:
        """This scope with the live entry of each number read (numbers missing from `live` were not)."""
        return replace(
            self,
            safe_list=tuple(
                replace(pair, current=live[pair.wanted.key]) if pair.wanted.key in live else pair
                for pair in self.safe_list
            ),
        )

    @property
    def safe_list_to_read(self) -> list[str]:
        """The numbers to GET: every declared one in scope (the config allows each number once)."""
        return [pair.wanted.key for pair in self.safe_list if pair.in_scope]

    def with_desired(self, resolve: Callable[[DesiredRecord], DesiredRecord]) -> Scope:
        """This scope with each desired service in scope passed through `resolve` (template names)."""
        return replace(
            self,
            pairs=tuple(
                replace(pair, wanted=resolve(pair.wanted)) if pair.wanted and pair.in_scope else pair
                for pair in self.pairs
            ),
        )

    @property
    def desired_in_scope(self) -> list[DesiredRecord]:
        return [pair.wanted for pair in self.pairs if pair.wanted is not None and pair.in_scope]


def match_services(
    desired: Sequence[DesiredRecord], live: Sequence[LiveRecord]
) -> list[tuple[DesiredRecord | None, LiveRecord | None]]:
    """Pair desired with live services: a `sid` pin first, else the friendly name; unmatched live last."""
    problems: list[str] = []
    by_id = {service.id: service for service in live}
    pinned_ids = {service.id for service in desired if service.id}
    by_name: dict[str, list[LiveRecord]] = {}
    for service in live:
        if service.id not in pinned_ids:
            by_name.setdefault(service.key, []).append(service)
    pairs: list[tuple[DesiredRecord | None, LiveRecord | None]] = []
    claimed: set[str] = set()
    for wanted in desired:
        current: LiveRecord | None
        if wanted.id:
            current = by_id.get(wanted.id)
            if current is None and not wanted.absent:
                # Only a message works out the place (see resources.records.Location).
                where = f" ({wanted.location})" if wanted.location else ""
                problems.append(
                    f"service[{wanted.key}]{where}: pinned sid {wanted.id} does not exist in the account "
                    "(a service cannot be created with a chosen sid; remove the pin to create it)"
                )
                continue
        else:
            candidates = by_name.get(wanted.key, [])
            # Several live services of one name (racing creates): the rule's survivor is matched; the
            # rest stay unclaimed, and the Scope plans their deletes (see plan/duplicates.py).
            current = keep_record(candidates) if candidates else None
        if current is not None:
            claimed.add(current.id)
        pairs.append((wanted, current))
    # Pinned services are not candidates: their pin claims them (even when their desired one is absent).
    problems += adopt_former_names(pairs, [s for s in live if s.id not in pinned_ids], claimed)
    if problems:
        raise PlanError("\n".join(problems))
    pairs.extend((None, service) for service in live if service.id not in claimed)
    return pairs


def adopt_former_names(
    pairs: list[tuple[DesiredRecord | None, LiveRecord | None]], live: Sequence[LiveRecord], claimed: set[str]
) -> list[str]:
    """Pair each unmatched desired service with the one unclaimed live service that has a former name.

    A rename without a `sid` pin (`formerly:`): the pair then differs in friendly_name, which the plan
    updates in place. Changes `pairs` and `claimed`; returns a problem when former names are ambiguous.
    """
    problems: list[str] = []
    for index, (wanted, current) in enumerate(pairs):
        if wanted is None or current is not None or not wanted.formerly or wanted.id:
            continue
        former = set(wanted.formerly)
        found = [s for s in live if s.key in former and s.id not in claimed]
        if len(found) > 1:
            sids = ", ".join(sorted(f"{s.key!r} {s.id}" for s in found))
            where = f" ({wanted.location})" if wanted.location else ""
            problems.append(
                f"service[{wanted.key}]{where}: {len(found)} live services have a former name ({sids}); "
                "pin the one to rename with `sid:`"
            )
            continue
        if found:
            claimed.add(found[0].id)
            pairs[index] = (wanted, found[0])
    return problems


def rename_hints(pairs: Sequence[ServicePair]) -> list[str]:
    """For each service the plan creates, the unmanaged live services with a close name: maybe a rename."""
    unmanaged = {pair.current.key: pair.current.id for pair in pairs if pair.wanted is None and pair.current}
    hints = []
    for pair in pairs:
        if pair.wanted is None or pair.current is not None or pair.wanted.absent or not pair.in_scope:
            continue
        for name in difflib.get_close_matches(pair.wanted.key, list(unmanaged), n=3, cutoff=0.6):
            hints.append(
                f"hint: {pair.address} is created, and the live service {name!r} ({unmanaged[name]}) is not"
                f' managed; if this is a rename, write formerly: ["{name}"] on {pair.address}'
            )
    return hints


def service_address_keys(
    pairs: Sequence[tuple[DesiredRecord | None, LiveRecord | None]], duplicates: frozenset[str] = frozenset()
) -> list[str]:
    """The key of each (desired, live) service pair's address: its friendly name, or its sid when several
    pairs have that name (services pinned apart, or live ones the files leave alone), so that addresses
    stay unique and the ids a plan keeps by address never mix two services up.

    Live services in `duplicates` (ids) are always keyed by sid and leave the name to the one kept.
    """
    names = [
        wanted.key if wanted is not None else current.key if current is not None else ""
        for wanted, current in pairs
    ]
    counts = Counter(
        name
        for name, (_, current) in zip(names, pairs, strict=True)
        if not current or current.id not in duplicates
    )
    keys = []
    for name, (wanted, current) in zip(names, pairs, strict=True):
        sid = (wanted.id if wanted is not None else None) or (current.id if current is not None else None)
        duplicate = current is not None and current.id in duplicates
        keys.append(str(sid) if sid and (duplicate or counts[name] > 1) else name)
    return keys
