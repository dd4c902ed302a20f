"""`verifyctl plan`: read the live account, diff it against the YAML, show (and optionally save) the plan."""

from __future__ import annotations

import shlex
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from verifyctl.cli.environment import Shard, Target, shard_option, targets_of
from verifyctl.cli.files import STDOUT, write_text
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.options import AccountOptions, Parallelism, open_engine, planning_options
from verifyctl.cli.output import progress, result, setup_logging, use_colour
from verifyctl.cli.ticker import reading
from verifyctl.client import RequestStats
from verifyctl.engine import load_configuration
from verifyctl.engine.target import fleet_run
from verifyctl.errors import EXIT_CHANGES, PolicyBlockedPlanError, UsageError, VerifyctlError
from verifyctl.plan.model import Plan
from verifyctl.render.environments import render_sections
from verifyctl.render.formats import FORMATS, render
from verifyctl.resources.addresses import Address

if TYPE_CHECKING:
    from verifyctl.plan.fleet import FleetPlan


def check_targets(targets: tuple[str, ...]) -> list[Address]:
    """The --target values as addresses; UsageError (exit 64) on a malformed one."""
    return [Address.parse(target) for target in targets]


def save_plan(plan: Plan, path: str) -> None:
    """Write the plan atomically; its directory must exist (a typo in it is an error, not a new tree)."""
    write_text(path, plan.to_json())


def apply_hint(
    out: str, paths: tuple[str, ...], account: AccountOptions, environment: str, shard: str = ""
) -> str:
    """The `apply --plan` command that applies the plan just saved, as it must be typed.

    Every word is quoted for a POSIX shell (paths and names come from the user and may hold anything),
    and `--` ends the options when a path looks like one. --var values are not repeated: one may be
    a secret, and this line goes to CI logs.
    """
    words = ["verifyctl", "apply", "--plan", out]
    if environment:
        words += ["--env", environment]
    if shard:
        words += ["--shard", shard]
    if account.local:
        words.append("--local")
    elif account.api_url and _given_on_command_line("api_url"):
        words += ["--api-url", account.api_url]
    for host in account.allow_http_hosts:
        words += ["--allow-http-host", host]
    for var_file in account.var_files:
        words += ["--var-file", var_file]
    if any(path.startswith("-") for path in paths):
        words.append("--")
    command = shlex.join([*words, *paths])
    if account.vars:
        return f"{command} (with the same --var options)"
    return command


def _given_on_command_line(name: str) -> bool:
    context = click.get_current_context(silent=True)
    return context is not None and context.get_parameter_source(name) is ParameterSource.COMMANDLINE


@click.command(
    "plan",
    epilog=epilog(
        PATHS,
        account_env(parallelism=True),
        exit_codes(
            "  0   success (with --detailed-exitcode: and no changes)",
            "  2   changes present (--detailed-exitcode; with --unmanaged-is-drift, or unmanaged services)",
            "  4   changes, and policy errors without an exception: apply would refuse this plan",
        ),
    ),
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--out", metavar="FILE", help="Save the plan, for `apply --plan FILE`.")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when there are none."
)
@click.option(
    "--unmanaged-is-drift",
    is_flag=True,
    help="With --detailed-exitcode, exit 2 also when live services no file declares exist (a drift check).",
)
@shard_option
@planning_options
def plan_command(
    paths: tuple[str, ...],
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    unmanaged_is_drift: bool,
    shard: Shard | None,
    targets: tuple[str, ...],
    parallelism: Parallelism,
    account: AccountOptions,
) -> int:
    """Show what apply would change in the live account (with --env all, in every environment)."""
    wanted_targets = check_targets(targets)
    if unmanaged_is_drift and not detailed_exitcode:
        raise UsageError("--unmanaged-is-drift sets the exit code of --detailed-exitcode; give both")
    if unmanaged_is_drift and wanted_targets:
        raise UsageError("--unmanaged-is-drift looks at the whole account; it takes no --target")
    setup_logging(account.verbose, account.log_format)  # before a fleet's parent is asked for members
    chosen = targets_of(account, paths, shard=shard)
    fleet = fleet_run(account.env, chosen)
    if out and len(chosen) > 1 and not fleet:
        raise UsageError(
            "--out saves the plan of one environment; name it with --env NAME (a fleet's member:"
            " --env FLEET/MEMBER)"
        )
    if fleet:
        return plan_fleet_command(fleet, chosen, paths, wanted_targets, account, parallelism, shard, out)
    for target in chosen:
        if target.skipped:
            progress(f"{target.name}: skipped: {target.skipped}")
    chosen = [target for target in chosen if not target.skipped]
    outcomes = plan_environments(chosen, paths, wanted_targets, account, parallelism)
    plans = [outcome for outcome in outcomes if isinstance(outcome, Plan)]
    failures = {t.name: o for t, o in zip(chosen, outcomes, strict=True) if isinstance(o, VerifyctlError)}
    if out:
        save_plan(plans[0], out)
        if out == STDOUT:
            progress("Wrote the plan to standard output; apply --plan reads it from a file (--out FILE)")
        else:
            command = apply_hint(out, paths, account, plans[0].environment)
            progress(f"Saved the plan to {shlex.quote(out)}; apply it with: {command}")
    colour = use_colour(account.no_color, account.color)
    if len(chosen) > 1:
        errors = {name: str(error) for name, error in failures.items()}
        result(render_sections(plans, fmt, colour, errors))
    else:
        result(render(plans[0], fmt, colour))
    if failures:
        # Each failure is said after the healthy environments' plans; the first one's code is the exit.
        for error in failures.values():
            progress(f"Error: {error}")
        raise click.exceptions.Exit(next(iter(failures.values())).exit_code)
    # The plan is shown (and saved) first, so that the reader sees what the findings are about.
    # Without changes apply has nothing to refuse, so the findings alone do not fail plan (lint's job).
    blocking = [finding for plan in plans if plan.has_changes for finding in plan.blocking]
    if blocking:
        raise PolicyBlockedPlanError(blocking)
    drifted = any(plan.has_changes or (unmanaged_is_drift and plan.unmanaged) for plan in plans)
    return EXIT_CHANGES if detailed_exitcode and drifted else 0


def plan_fleet_command(
    name: str,
    chosen: list[Target],
    paths: tuple[str, ...],
    targets: list[Address],
    account: AccountOptions,
    parallelism: Parallelism,
    shard: Shard | None,
    out: str | None = None,
) -> int:
    """Every member's plan under one budget: the member table, then the members with changes; with
    `out`, the plan of every member saved in one file (none is saved when a member failed)."""
    # A fleet's code is loaded only for a run over a fleet: a one-account plan never needs it.
    from verifyctl.engine.fleet_run import Ceiling, plan_fleet
    from verifyctl.render.fleet import render_fleet

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
    if out and not fleet.failed:
        save_fleet_plan(fleet, out, paths, account)
    if fleet.failed:
        if out:
            progress(f"Not saved: {len(fleet.failed)} member(s) could not be planned; nothing was written")
        for member in fleet.failed:
            progress(f"Error: member {member.name}: {member.error}")
        raise click.exceptions.Exit(fleet.failed[0].exit_code)
    plans = [m.plan for m in fleet.planned if m.plan is not None]
    blocking = [finding for plan in plans if plan.has_changes for finding in plan.blocking]
    if blocking:
        raise PolicyBlockedPlanError(blocking)
    drifted = any(plan.has_changes or (unmanaged_is_drift and plan.unmanaged) for plan in plans)
    return EXIT_CHANGES if detailed and drifted else 0


def save_fleet_plan(fleet: FleetPlan, out: str, paths: tuple[str, ...], account: AccountOptions) -> None:
    """Write one plan per member (with the fleet, its shard and member set) for `apply --plan FILE`."""
    from verifyctl.plan.saved_fleet import fleet_plan_document

    members = [(m.name, m.plan) for m in fleet.planned if m.plan is not None]
    write_text(out, fleet_plan_document(fleet.fleet, fleet.shard, members))
    if out == STDOUT:
        progress("Wrote the plan to standard output; apply --plan reads it from a file (--out FILE)")
        return
    command = apply_hint(out, paths, account, fleet.fleet, fleet.shard)
    progress(f"Saved the plan of {len(members)} members to {shlex.quote(out)}; apply it with: {command}")


def plan_one(
    target: Target,
    paths: tuple[str, ...],
    targets: list[Address],
    account: AccountOptions,
    parallelism: Parallelism,
) -> Plan:
    """The plan of one environment (or of the one account without environments)."""
    config = load_configuration(paths, target.variables, target.services_of, target.files)
    with open_engine(account, parallelism, target) as engine:
        started = time.monotonic()
        with reading(engine):
            plan = engine.plan(config, targets)
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
) -> list[Plan | VerifyctlError]:
    """Each environment's plan, or the error that stopped it, planned concurrently.

    One environment failing does not hide the others' plans (`--env all`); an unexpected exception
    (not a VerifyctlError) is raised once all have ended.
    """
    if len(chosen) == 1:
        return [plan_one(chosen[0], paths, targets, account, parallelism)]
    with ThreadPoolExecutor(max_workers=len(chosen), thread_name_prefix="verifyctl-env") as pool:
        futures = [pool.submit(plan_one, t, paths, targets, account, parallelism) for t in chosen]
        wait(futures)
    outcomes: list[Plan | VerifyctlError] = []
    for target, future in zip(chosen, futures, strict=True):
        error = future.exception()
        if error is not None and not isinstance(error, VerifyctlError):
            raise error
        if isinstance(error, VerifyctlError):
            if not error.message.startswith(f"environment {target.name}"):
                error.message = f"environment {target.name}: {error.message}"
                error.args = (error.message,)
            outcomes.append(error)
        else:
            outcomes.append(future.result())
    return outcomes
