"""`plan --env FLEET`: every member's plan under one budget, shown as a member table and details."""

from __future__ import annotations

from dataclasses import replace

import click

from verifyctl.cli.environment import Shard, Target
from verifyctl.cli.options import AccountOptions, Parallelism
from verifyctl.cli.output import progress, result, use_colour
from verifyctl.client import RequestStats
from verifyctl.engine.fleet_run import Ceiling, plan_fleet
from verifyctl.errors import EXIT_CHANGES, PolicyBlockedPlanError
from verifyctl.plan.model import Plan
from verifyctl.render.fleet import render_fleet
from verifyctl.resources.addresses import Address


def plan_fleet_command(
    name: str,
    chosen: list[Target],
    paths: tuple[str, ...],
    targets: list[Address],
    account: AccountOptions,
    parallelism: Parallelism,
    shard: Shard | None,
) -> int:
    """Every member's plan under one budget: the member table, then the members with changes."""
    context = click.get_current_context()
    detailed = bool(context.params.get("detailed_exitcode"))
    unmanaged_is_drift = bool(context.params.get("unmanaged_is_drift"))

    def said(target: Target, plan: Plan) -> None:
        noun = "object" if plan.covered == 1 else "objects"
        progress(f"{target.name}: read {plan.covered} live {noun} of {plan.where}")

    stats = RequestStats() if account.stats else None
    fleet = plan_fleet(
        name,
        chosen,
        paths,
        targets,
        Ceiling(parallelism.ceiling, parallelism.adaptive),
        allow_http_hosts=account.allow_http_hosts,
        on_plan=said,
        stats=stats,
    )
    if stats is not None:
        progress(f"Requests: {stats.summary()} (the members'; the parent's listing not counted)")
    if shard is not None:
        fleet = replace(fleet, shard=str(shard))
    result(
        render_fleet(fleet, context.params.get("fmt", "text"), use_colour(account.no_color, account.color))
    )
    if fleet.failed:
        for member in fleet.failed:
            progress(f"Error: member {member.name}: {member.error}")
        raise click.exceptions.Exit(fleet.failed[0].exit_code)
    plans = [m.plan for m in fleet.planned if m.plan is not None]
    blocking = [finding for plan in plans if plan.has_changes for finding in plan.blocking]
    if blocking:
        raise PolicyBlockedPlanError(blocking)
    drifted = any(plan.has_changes or (unmanaged_is_drift and plan.unmanaged) for plan in plans)
    return EXIT_CHANGES if detailed and drifted else 0
