"""Which live children a plan needs: only the child lists the configuration writes, of services in scope."""

from __future__ import annotations

from collections.abc import Sequence

from verifyctl.plan.addresses import parse_address, service_address_keys
from verifyctl.resources.records import Record


def children_to_read(
    pairs: Sequence[tuple[Record | None, Record | None]], targets: Sequence[str] = ()
) -> dict[str, frozenset[str]]:
    """Map live service id -> child kinds to read ("bucket" meaning the buckets of its rate limits)."""
    target_services = {parse_address(t)[0][1] for t in targets}
    needs: dict[str, frozenset[str]] = {}
    for key, (wanted, current) in zip(service_address_keys(pairs), pairs, strict=True):
        if wanted is None or current is None or wanted.absent:
            continue
        if targets and key not in target_services:
            continue
        kinds = set(wanted.children)
        rate_limits = wanted.children.get("rate_limit") or []
        if any("bucket" in rate_limit.children for rate_limit in rate_limits):
            kinds.add("bucket")
        if kinds:
            needs[str(current.id)] = frozenset(kinds)
    return needs
