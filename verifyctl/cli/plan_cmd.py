"""`verifyctl plan`: read the live account, diff it against the YAML, show (and optionally save) the plan."""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click

from verifyctl.apply.planning import plan_account
from verifyctl.cli.account import Account, account_options, open_account, options_from
from verifyctl.cli.desired import Desired, load_desired
from verifyctl.cli.output import progress, result, use_colour
from verifyctl.errors import EXIT_CHANGES
from verifyctl.plan.model import Plan
from verifyctl.render.formats import FORMATS, render
from verifyctl.resources.addresses import Address
from verifyctl.state.account import read_account_name

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


def check_targets(targets: tuple[str, ...]) -> list[Address]:
    """The --target values as addresses; UsageError (exit 64) on a malformed one."""
    return [Address.parse(target) for target in targets]


def plan_for(account: Account, desired: Desired, targets: list[Address], parallelism: int) -> Plan:
    """Read the live account and diff it against the desired state; the plan records its account."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verifyctl-account") as pool:
        # The account's name comes from another host; read it while the plan's reads run.
        name = pool.submit(read_account_name, account.accounts, account.account_sid)
        plan = plan_account(
            account.client, desired.services, prune=desired.prune, targets=targets, parallelism=parallelism
        )
        return plan.for_account(account.account_sid, account.api_url, name.result())


def save_plan(plan: Plan, path: str) -> None:
    """Write the plan atomically, so a reader never sees half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".verifyctl-plan-", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(plan.to_json())
    os.replace(tmp, target)


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
        progress(
            f"Read {plan.covered} live {noun} of account {plan.account_label} at {account.api_url} "
            f"in {elapsed:.2f} s."
        )
    if out:
        save_plan(plan, out)
        progress(f"Saved the plan to {out}; apply it with: verifyctl apply --plan {out}")
    result(render(plan, fmt, use_colour(options.no_color)))
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else 0
