"""`verifyctl plan`: read the live account, diff it against the YAML, show (and optionally save) the plan."""

from __future__ import annotations

import os
import time

import click

from verifyctl.cli.files import write_text
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.options import (
    AccountOptions,
    Parallelism,
    account_options,
    open_engine,
    parallelism_option,
    target_option,
)
from verifyctl.cli.output import progress, result, use_colour
from verifyctl.cli.ticker import reading
from verifyctl.engine import load_desired
from verifyctl.errors import EXIT_CHANGES
from verifyctl.plan.model import Plan
from verifyctl.render.formats import FORMATS, render
from verifyctl.resources.addresses import Address


def check_targets(targets: tuple[str, ...]) -> list[Address]:
    """The --target values as addresses; UsageError (exit 64) on a malformed one."""
    return [Address.parse(target) for target in targets]


def save_plan(plan: Plan, path: str) -> None:
    """Write the plan atomically; its directory must exist (a typo in it is an error, not a new tree)."""
    write_text(path, plan.to_json())


@click.command(
    "plan",
    epilog=epilog(
        PATHS,
        account_env(parallelism=True),
        exit_codes(
            "  0   success (with --detailed-exitcode: and no changes)",
            "  2   changes present (--detailed-exitcode)",
        ),
    ),
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--out", metavar="FILE", help="Save the plan, for `apply --plan FILE`.")
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
    parallelism: Parallelism,
    account: AccountOptions,
) -> int:
    """Show what apply would change in the live account."""
    wanted_targets = check_targets(targets)
    desired = load_desired(paths, os.environ)
    with open_engine(account, parallelism) as engine:
        started = time.monotonic()
        with reading(engine):
            plan = engine.plan(desired, wanted_targets)
        noun = "object" if plan.covered == 1 else "objects"
        progress(f"Read {plan.covered} live {noun} of {plan.where} in {time.monotonic() - started:.2f} s.")
    if out:
        save_plan(plan, out)
        progress(f"Saved the plan to {out}; apply it with: verifyctl apply --plan {out}")
    result(render(plan, fmt, use_colour(account.no_color, account.color)))
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else 0
