"""Read exactly what a plan needs from the live account and make the plan."""

from __future__ import annotations

from collections.abc import Sequence

from verifyctl.plan.diff import make_plan, match_services
from verifyctl.plan.model import Plan
from verifyctl.plan.scope import children_to_read
from verifyctl.resources.records import Record
from verifyctl.state.reader import ListingClient, read_children, read_services


def plan_account(
    client: ListingClient,
    desired: Sequence[Record],
    *,
    prune: bool = False,
    targets: Sequence[str] = (),
    parallelism: int = 10,
) -> Plan:
    """One list of services, then the written child lists of matched services in scope, concurrently."""
    live = read_services(client)
    needs = children_to_read(match_services(desired, live), targets)
    read_children(client, live, needs, parallelism)
    return make_plan(desired, live, prune=prune, targets=targets)
