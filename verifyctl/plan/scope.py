"""Which live children a plan needs: the child lists the files write, and all that a delete takes along."""

from __future__ import annotations

from collections.abc import Sequence

from verifyctl.plan.addresses import service_address_keys
from verifyctl.resources.addresses import Address
from verifyctl.resources.records import Record

# "bucket" stands for the buckets of every rate limit of the service.
ALL_CHILD_KINDS = frozenset({"rate_limit", "messaging_configuration", "webhook", "bucket"})


def children_to_read(
    pairs: Sequence[tuple[Record | None, Record | None]],
    targets: Sequence[Address] = (),
    *,
    prune: bool = False,
) -> dict[str, frozenset[str]]:
    """Map live service id -> child kinds to read ("bucket" meaning the buckets of its rate limits).

    A service that will be deleted needs every child list: the plan lists each object the delete takes
    with it. A written `rate_limits:` list needs the buckets too, since a rate limit it removes or
    replaces takes its buckets along.
    """
    target_services = {target.segments[0][1] for target in targets}
    needs: dict[str, frozenset[str]] = {}
    for key, (wanted, current) in zip(service_address_keys(pairs), pairs, strict=True):
        if current is None or (targets and key not in target_services):
            continue
        deleted = wanted.absent if wanted is not None else prune
        if deleted:
            needs[str(current.id)] = ALL_CHILD_KINDS
            continue
        if wanted is None:
            continue
        kinds = set(wanted.children)
        if "rate_limit" in kinds:
            kinds.add("bucket")
        if kinds:
            needs[str(current.id)] = frozenset(kinds)
    return needs
