"""`verifyctl plan`: read the live account, diff it against the YAML, show (and optionally save) the plan."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait

import click

from verifyctl.cli.environment import Target, targets_of
from verifyctl.cli.files import write_text
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.options import AccountOptions, Parallelism, open_engine, planning_options
from verifyctl.cli.output import progress, result, use_colour
from verifyctl.cli.ticker import reading
from verifyctl.engine import desired_of, load_configuration
from verifyctl.errors import EXIT_CHANGES, UsageError, VerifyctlError
from verifyctl.plan.model import Plan
from verifyctl.render.environments import render_sections
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
@planning_options
def plan_command(
    paths: tuple[str, ...],
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    parallelism: Parallelism,
    account: AccountOptions,
) -> int:
    """Show what apply would change in the live account (with --env all, in every environment)."""
    wanted_targets = check_targets(targets)
    chosen = targets_of(account, paths)
    if out and len(chosen) > 1:
        raise UsageError("--out saves the plan of one environment; name it with --env NAME")
    plans = plan_environments(chosen, paths, wanted_targets, account, parallelism)
    if out:
        save_plan(plans[0], out)
        progress(f"Saved the plan to {out}; apply it with: verifyctl apply --plan {out}")
    colour = use_colour(account.no_color, account.color)
    if len(plans) > 1:
        result(render_sections(plans, fmt, colour))
    else:
        result(render(plans[0], fmt, colour))
    return EXIT_CHANGES if detailed_exitcode and any(plan.has_changes for plan in plans) else 0


def plan_one(
    target: Target,
    paths: tuple[str, ...],
    targets: list[Address],
    account: AccountOptions,
    parallelism: Parallelism,
) -> Plan:
    """The plan of one environment (or of the one account without environments)."""
    config = load_configuration(paths, target.variables, target.name, target.files)
    with open_engine(account, parallelism, target) as engine:
        started = time.monotonic()
        with reading(engine):
            # The files are checked: the services list is read while their records are built.
            engine.read_services_now()
            plan = engine.plan(desired_of(config, target.name), targets)
        noun = "object" if plan.covered == 1 else "objects"
        where = f"environment {target.name}: " if target.name else ""
        progress(
            f"{where}Read {plan.covered} live {noun} of {plan.where} in {time.monotonic() - started:.2f} s."
        )
    return plan


def plan_environments(
    chosen: list[Target],
    paths: tuple[str, ...],
    targets: list[Address],
    account: AccountOptions,
    parallelism: Parallelism,
) -> list[Plan]:
    """Each environment's plan, planned concurrently; the first failure is raised once all have ended."""
    if len(chosen) == 1:
        return [plan_one(chosen[0], paths, targets, account, parallelism)]
    with ThreadPoolExecutor(max_workers=len(chosen), thread_name_prefix="verifyctl-env") as pool:
        futures = [pool.submit(plan_one, t, paths, targets, account, parallelism) for t in chosen]
        wait(futures)
    for target, future in zip(chosen, futures, strict=True):
        error = future.exception()
        if isinstance(error, VerifyctlError) and not error.message.startswith(f"environment {target.name}"):
            error.message = f"environment {target.name}: {error.message}"
            raise error
        if error is not None:
            raise error
    return [future.result() for future in futures]
