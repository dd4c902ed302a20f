"""`verifyctl plan`: read the live account, diff it against the YAML, show (and optionally save) the plan."""

from __future__ import annotations

import time
from typing import Any

import click

from verifyctl.apply.planning import plan_account
from verifyctl.cli.account import Account, account_options, open_account, options_from
from verifyctl.cli.desired import Desired, load_desired
from verifyctl.cli.files import write_text
from verifyctl.cli.output import progress, result, use_colour
from verifyctl.errors import EXIT_CHANGES
from verifyctl.plan.addresses import parse_address
from verifyctl.plan.model import Plan
from verifyctl.render.formats import FORMATS, render

target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDRESS",
    help="Limit to this object and its children, e.g. 'service[Acme Login]' (repeatable).",
)
parallelism_option = click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=10,
    show_default=True,
    help="Concurrent API requests.",
)


def check_targets(targets: tuple[str, ...]) -> list[str]:
    for target in targets:
        parse_address(target)  # raises UsageError (exit 64) on a malformed address
    return list(targets)


def plan_for(account: Account, desired: Desired, targets: list[str], parallelism: int) -> Plan:
    """Read the live account and diff it against the desired state; the plan records its target."""
    plan = plan_account(
        account.client, desired.services, prune=desired.prune, targets=targets, parallelism=parallelism
    )
    return plan.with_target(account.account_sid, account.api_url)


def save_plan(plan: Plan, path: str) -> None:
    """Write the plan atomically; its directory must exist (a typo in it is an error, not a new tree)."""
    write_text(path, plan.to_json())


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--out", metavar="FILE", help="Save the plan, for `apply --plan FILE`.")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when there are none."
)
@target_option
@parallelism_option
@account_options
def plan_command(
    paths: tuple[str, ...],
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    parallelism: int,
    **kwargs: Any,
) -> int:
    """Show what apply would change in the live account."""
    options = options_from(kwargs)
    wanted_targets = check_targets(targets)
    desired = load_desired(paths)
    with open_account(options, parallelism) as account:
        started = time.monotonic()
        plan = plan_for(account, desired, wanted_targets, parallelism)
        noun = "object" if plan.covered == 1 else "objects"
        elapsed = time.monotonic() - started
        progress(f"Read {plan.covered} live {noun} from {account.api_url} in {elapsed:.2f} s.")
    if out:
        save_plan(plan, out)
        progress(f"Saved the plan to {out}; apply it with: verifyctl apply --plan {out}")
    result(render(plan, fmt, use_colour(options.no_color)))
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else 0
