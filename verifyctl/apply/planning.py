"""Read exactly what a plan needs from the live account and make the plan."""

from __future__ import annotations

from collections.abc import Sequence

from verifyctl.plan.diff import make_plan, match_services
from verifyctl.plan.model import Plan
from verifyctl.plan.scope import children_to_read
from verifyctl.resources.addresses import Address
from verifyctl.resources.records import Record
from verifyctl.state.reader import ListingClient, read_children, read_services
from verifyctl.state.templates import read_templates, resolve_template_names, uses_template_name


def plan_account(
    client: ListingClient,
    desired: Sequence[Record],
    *,
    prune: bool = False,
    targets: Sequence[Address] = (),
    parallelism: int = 10,
) -> Plan:
    """One list of services, then the written child lists of matched services in scope, concurrently."""
    desired = resolve_default_templates(client, desired, targets)
    live = read_services(client)
    needs = children_to_read(match_services(desired, live), targets, prune=prune)
    read_children(client, live, needs, parallelism)
    return make_plan(desired, live, prune=prune, targets=targets)


def resolve_default_templates(
    client: ListingClient, desired: Sequence[Record], targets: Sequence[Address] = ()
) -> list[Record]:
    """`default_template` names (of services in scope) as sids; the Templates list is read only if needed."""
    target_services = {target.segments[0][1] for target in targets}

    def in_scope(service: Record) -> bool:
        # A service whose name others share is addressed by its sid; resolving one too many costs nothing.
        return not targets or service.key in target_services or str(service.id) in target_services

    if not any(uses_template_name(s) and in_scope(s) for s in desired):
        return list(desired)
    return resolve_template_names(desired, read_templates(client), in_scope)
