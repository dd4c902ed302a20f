"""`verifyctl apply`: make the live account match the YAML, or apply a reviewed saved plan exactly."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from verifyctl.cli.options import (
    AccountOptions,
    account_options,
    open_engine,
    parallelism_option,
    target_option,
)
from verifyctl.cli.output import progress, result, use_colour
from verifyctl.cli.plan_cmd import check_targets
from verifyctl.config.loader import printable_name
from verifyctl.engine import ApplyResult, Engine, Outcome, check_guards, load_desired
from verifyctl.engine.racing import without_passing_duplicates
from verifyctl.errors import ApplyError, PolicyRefusedError, RefusedError, UsageError, VerifyctlError
from verifyctl.plan.model import Plan, SavedPlan
from verifyctl.render.text import SYMBOLS, render_text


def load_saved_plan(path: str) -> SavedPlan:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Plan.from_dict(data)
    except OSError as error:
        shown = printable_name(path)  # a line break in the name must not split the message
        raise VerifyctlError(f"cannot read the saved plan {shown}: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise VerifyctlError(f"{printable_name(path)} is not a verifyctl plan file: {error}") from None


def report_progress(outcome: Outcome) -> None:
    change = outcome.change
    if outcome.status == "applied":
        progress(f"  {SYMBOLS[change.action]} {change.address}: {outcome.detail} ({outcome.seconds:.2f} s)")
    elif outcome.status == "failed":
        progress(f"  ! {change.address}: failed: {outcome.detail}")
    else:
        progress(f"  . {change.address}: skipped ({outcome.detail})")


def summarise(outcome: ApplyResult) -> str:
    applied, failed, skipped = len(outcome.applied), len(outcome.failed), len(outcome.skipped)
    head = "Apply complete" if outcome.ok else "Apply incomplete"
    lines = [f"{head}: {applied} applied, {failed} failed, {skipped} skipped."]
    lines += [f"  failed:  {o.change.address}: {o.detail}" for o in outcome.failed]
    lines += [f"  skipped: {o.change.address}: {o.detail}" for o in outcome.skipped]
    lines += [f"  warning: {warning}" for warning in outcome.warnings]
    return "\n".join(lines) + "\n"


def next_step(outcome: ApplyResult) -> str:
    """What to do after an incomplete apply: a value the API refused (400) fails the same way on a rerun."""
    failed, skipped = len(outcome.failed), len(outcome.skipped)
    refused = sum(1 for o in outcome.failed if o.refused)
    head = f"{failed} changes failed and {skipped} were skipped"
    if refused and refused == failed:
        return f"{head}; the API refused a value: fix the configuration (see above), then apply again"
    if refused:
        return (
            f"{head}; fix the configuration for the {refused} the API refused (see above), "
            "then rerun apply for the rest"
        )
    return f"{head}; rerun apply"


def refuse_policy_errors(plan: Plan) -> None:
    """Exit 3 before any write while an error-level policy finding has no exception."""
    if plan.blocking:
        raise PolicyRefusedError(list(plan.blocking))


def confirm_or_refuse(plan: Plan) -> None:
    if not sys.stdin.isatty():
        raise RefusedError(
            "apply needs --auto-approve when it does not run on a terminal (or a reviewed --plan)"
        )
    if not click.confirm(f"Apply {_changes(plan)} to account {plan.account_label}?", default=False, err=True):
        raise RefusedError("apply cancelled; nothing was changed")


def _changes(plan: Plan) -> str:
    total = plan.summary.total
    return f"{total} {'change' if total == 1 else 'changes'}"


def execute(plan: Plan, engine: Engine) -> None:
    started = time.monotonic()
    progress(f"Applying {_changes(plan)} to {plan.where} ...")
    outcome = engine.apply(plan, progress=report_progress)
    progress(f"Finished in {time.monotonic() - started:.2f} s.")
    result(summarise(outcome))
    if not outcome.ok:
        raise ApplyError(next_step(outcome))


@click.command("apply")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--plan", "plan_file", metavar="FILE", help="Apply exactly this saved, reviewed plan.")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-delete", is_flag=True, help="Allow deleting (and replacing) objects.")
@click.option(
    "--force", is_flag=True, help="Allow a plan that updates or deletes more than 30% of live objects."
)
@target_option
@parallelism_option
@account_options
def apply_command(
    paths: tuple[str, ...],
    plan_file: str | None,
    auto_approve: bool,
    allow_delete: bool,
    force: bool,
    targets: tuple[str, ...],
    parallelism: int,
    account: AccountOptions,
) -> None:
    """Create, update and delete what differs so that the live account matches."""
    if plan_file and targets:
        raise UsageError("--plan applies a saved plan as it is; it takes no --target")
    if plan_file:
        saved_file = load_saved_plan(plan_file)
        # PATHs with --plan only give back the real values the saved plan holds masked.
        config = load_desired(paths, os.environ) if paths else None
        with open_engine(account, parallelism) as engine:
            saved = engine.bind_saved(saved_file, config)
            refuse_policy_errors(saved)
            check_guards(saved, allow_delete=allow_delete, force=force)
            if not saved.has_changes:
                result(render_text(saved))
                return
            execute(saved, engine)
        return
    wanted_targets = check_targets(targets)
    desired = load_desired(paths, os.environ)
    with open_engine(account, parallelism) as engine:
        plan = engine.plan(desired, wanted_targets)
        if not allow_delete:
            plan = without_passing_duplicates(plan, lambda: engine.plan(desired, wanted_targets))
        result(render_text(plan, use_colour(account.no_color)))
        if not plan.has_changes:
            return
        refuse_policy_errors(plan)
        check_guards(plan, allow_delete=allow_delete, force=force)
        if not auto_approve:
            confirm_or_refuse(plan)
        execute(plan, engine)
