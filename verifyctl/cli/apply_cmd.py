"""`verifyctl apply`: make the live account match the YAML, or apply a reviewed saved plan exactly."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from verifyctl.cli.environment import ALL, Shard, one_target, shard_option, targets_of
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.interrupts import stop_on_signals
from verifyctl.cli.options import AccountOptions, Parallelism, open_engine, planning_options
from verifyctl.cli.output import plural, progress, result, use_colour
from verifyctl.cli.plan_cmd import check_targets
from verifyctl.cli.read_back import as_written_line, stored_differently
from verifyctl.cli.ticker import Ticker, reading
from verifyctl.engine import (
    DEFAULT_PATH,
    NOT_STARTED,
    ApplyResult,
    Engine,
    Outcome,
    check_guards,
    load_configuration,
)
from verifyctl.engine.fleet_basics import DEFAULT_WAVE_SIZE
from verifyctl.engine.racing import without_passing_duplicates
from verifyctl.engine.target import fleet_run
from verifyctl.errors import ApplyError, PolicyRefusedError, RefusedError, StalePlanError, UsageError
from verifyctl.plan.guards import Guards
from verifyctl.plan.model import Plan
from verifyctl.plan.saved import SavedPlan
from verifyctl.plan.saved_file import is_fleet_plan, read_saved
from verifyctl.render.text import SYMBOLS, render_text

if TYPE_CHECKING:
    from verifyctl.engine.apply_report import ApplyRecord

REPORT_HELP = """\b
--report FILE.json: the run's audit record (schemas/apply-report.schema.json), written however
  apply ends; in GitHub Actions it names GITHUB_ACTOR and the run's URL (GITHUB_SERVER_URL,
  GITHUB_REPOSITORY, GITHUB_RUN_ID), else the local user. It holds no secret."""


def progress_line(outcome: Outcome, count: str = "") -> str:
    """The line of one ended change; `count` is its `[n/N]` in the run."""
    change = outcome.change
    lead = f"  {count} " if count else "  "
    if outcome.status == "applied":
        return f"{lead}{SYMBOLS[change.action]} {change.address}: {outcome.detail} ({outcome.seconds:.2f} s)"
    if outcome.status == "failed":
        return f"{lead}! {change.address}: failed: {outcome.detail}"
    if outcome.status == NOT_STARTED:
        return f"{lead}. {change.address}: not started ({outcome.detail})"
    return f"{lead}. {change.address}: skipped ({outcome.detail})"


class Counter:
    """Numbers each ended change `[n/N]`, N being every change of the plan; a change reported again
    (a create redone under a kept parent) keeps its number, so n never passes N."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.numbers: dict[object, int] = {}
        self.emit: Callable[[str], None] = progress

    @property
    def done(self) -> int:
        return len(self.numbers)

    def __call__(self, outcome: Outcome) -> None:
        number = self.numbers.setdefault(outcome.change.address, self.done + 1)
        self.emit(progress_line(outcome, f"[{number}/{self.total}]"))

    def describe(self) -> str:
        return f"Applying: {self.done}/{self.total} done"


def summarise(outcome: ApplyResult) -> str:
    applied, failed, skipped = len(outcome.applied), len(outcome.failed), len(outcome.skipped)
    head = "Apply complete" if outcome.ok else "Apply incomplete"
    counts = f"{applied} applied, {failed} failed, {skipped} skipped"
    if outcome.not_started:
        counts += f", {len(outcome.not_started)} not started"
    lines = [f"{head}: {counts}."]
    lines += [f"  failed:  {o.change.address}: {o.detail}" for o in outcome.failed]
    lines += [f"  skipped: {o.change.address}: {o.detail}" for o in outcome.skipped]
    lines += [f"  warning: {warning}" for warning in outcome.warnings]
    return "\n".join(lines) + "\n"


def next_step(outcome: ApplyResult) -> str:
    """What to do after an incomplete apply: a value the API refused (400) fails the same way on a rerun."""
    failed, skipped = len(outcome.failed), len(outcome.skipped)
    refused = sum(1 for o in outcome.failed if o.refused)
    head = f"{plural(failed, 'change')} failed and {skipped} {'was' if skipped == 1 else 'were'} skipped"
    if refused and refused == failed:
        return f"{head}; the API refused a value: fix the configuration (see above), then apply again"
    if refused:
        return (
            f"{head}; fix the configuration for the {refused} the API refused (see above), "
            "then rerun apply for the rest"
        )
    return f"{head}; rerun apply"


def interrupted_line(outcome: ApplyResult) -> str:
    """The last line of an interrupted apply: what landed, what did not, and what to do next."""
    failed = f", {len(outcome.failed)} failed" if outcome.failed else ""
    skipped = f", {len(outcome.skipped)} skipped" if outcome.skipped else ""
    return (
        f"Interrupted: {len(outcome.applied)} applied{failed}{skipped}, "
        f"{len(outcome.not_started)} not started — run apply again to converge"
    )


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
    return plural(plan.summary.total, "change")


def execute(plan: Plan, engine: Engine, record: ApplyRecord | None = None) -> None:
    started = time.monotonic()
    progress(f"Applying {_changes(plan)} to {plan.where} ...")
    counter = Counter(len(plan.changes))
    with Ticker(counter.describe) as ticker, stop_on_signals(engine.cancel_requests) as interrupt:
        counter.emit = ticker.line
        outcome = engine.apply(plan, progress=counter, stop=interrupt.stop)
    if record is not None:
        record.result = outcome
    progress(f"Finished in {time.monotonic() - started:.2f} s.")
    result(summarise(outcome))
    read_back = stored_differently(outcome, plan.secrets)
    if read_back is not None and (interrupt.stop.is_set() or not outcome.ok):
        result(f"{read_back}\n")  # listed before the failure's own ending, which decides the exit code
    if interrupt.stop.is_set():
        if record is not None:
            record.reason = interrupted_line(outcome)
        progress(interrupted_line(outcome))
        raise click.exceptions.Exit(interrupt.exit_code)
    refused_write = outcome.refused_write
    if refused_write is not None:
        # A key that may write some objects but not others: exit 3 as for a key that may only read.
        raise refused_write.ending(f"{plural(len(outcome.applied), 'change')} applied before it")
    if not outcome.ok:
        raise ApplyError(next_step(outcome))
    if read_back is not None:
        raise read_back
    result(as_written_line(outcome))


@click.command(
    "apply",
    epilog=epilog(
        PATHS,
        account_env(parallelism=True),
        REPORT_HELP,
        exit_codes(
            "  0   applied, or nothing to apply (over a fleet: every member applied, without changes",
            "      or skipped as closed)",
            "  3   refused by a guard: deletes without --allow-delete, over the threshold without",
            "      --force, a stale --plan, no terminal without --auto-approve, a policy error,",
            "      a key that may only read (nothing is written)",
            "  130 interrupted (Ctrl-C), 143 terminated (SIGTERM): run apply again to converge",
            "  Over a fleet the code is the first failed member's (3 for a member refused so), 1 when",
            "  members were left not started, 3 for a saved plan of another fleet, shard or members.",
            error="error: a change failed, or Twilio stored a value differently from how it was\n"
            "      sent (each listed with the value to write in the file)",
        ),
    ),
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--plan", "plan_file", metavar="FILE", help="Apply exactly this saved, reviewed plan.")
@click.option(
    "--report",
    "report_file",
    metavar="FILE.json",
    help="Write an audit report of the run to FILE.json: who, when, the plan, and each change's result and "
    "Twilio request id (written too when apply fails, is refused or interrupted).",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-delete", is_flag=True, help="Allow deleting (and replacing) objects.")
@click.option(
    "--force", is_flag=True, help="Allow a plan that updates or deletes more than 30% of live objects."
)
@click.option(
    "--wave-size",
    type=click.IntRange(1, 10_000),
    metavar="N",
    help=f"A fleet: the largest wave of members applied at once; waves grow 1 (a canary), 2, 4, ... up to"
    f" N [default: {DEFAULT_WAVE_SIZE}].",
)
@click.option(
    "--max-failed-members",
    type=click.IntRange(0),
    metavar="M",
    help="A fleet: start no new wave once more than M members have failed [default: 0, the first failed"
    " member stops the waves after its own].",
)
@shard_option
@planning_options
def apply_command(
    paths: tuple[str, ...],
    plan_file: str | None,
    report_file: str | None,
    auto_approve: bool,
    allow_delete: bool,
    force: bool,
    wave_size: int | None,
    max_failed_members: int | None,
    shard: Shard | None,
    targets: tuple[str, ...],
    parallelism: Parallelism,
    account: AccountOptions,
) -> None:
    """Create, update and delete what differs so that the live account matches."""
    if plan_file and targets:
        raise UsageError("--plan applies a saved plan as it is; it takes no --target")
    rollout = Rollout(wave_size, max_failed_members, shard)
    guards = Guards(allow_delete, force)
    if report_file is None:
        run_apply(paths, plan_file, auto_approve, guards, rollout, targets, parallelism, account, None)
        return
    # The report's writer (and the user name it looks up) is loaded only for a run that asks for it.
    from verifyctl.cli.apply_report import check_report_path, reporting

    check_report_path(report_file)
    with reporting(report_file, os.environ) as record:
        run_apply(paths, plan_file, auto_approve, guards, rollout, targets, parallelism, account, record)


@dataclass(frozen=True)
class Rollout:
    """The options that roll out the members of a fleet (refused for one account, but --shard's own)."""

    wave_size: int | None
    max_failed_members: int | None
    shard: Shard | None


def run_apply(
    paths: tuple[str, ...],
    plan_file: str | None,
    auto_approve: bool,
    guards: Guards,
    rollout: Rollout,
    targets: tuple[str, ...],
    parallelism: Parallelism,
    account: AccountOptions,
    record: ApplyRecord | None,
) -> None:
    """The apply, noting in `record` (when a report is asked for) what it knows as it goes."""
    allow_delete, force = guards.allow_delete, guards.force
    saved = read_saved(plan_file, account.allow_outside_links) if plan_file else None
    if is_fleet_plan(saved):
        # The saved plan names its fleet: without --env, apply makes the plans again for that one.
        account = replace(account, env=account.env or saved.fleet)
        _check_files(paths, saved.members[0].saved if saved.members else None)
    elif isinstance(saved, SavedPlan):
        # The saved plan names its environment: apply makes the plan again for that one.
        recorded = saved.plan.environment
        if recorded and account.env and account.env != recorded:
            raise RefusedError(f"the saved plan is for environment {recorded}, not {account.env}")
        account = replace(account, env=recorded or account.env)
        _check_files(paths, saved)
        if record is not None:
            record.saved_plan = (saved.file, saved.sha256)
    wanted_targets = check_targets(targets)
    if account.env == ALL:
        one_target(account, paths)  # refuses --env all
    chosen = targets_of(account, paths, shard=rollout.shard)
    fleet_name = fleet_run(account.env, chosen)
    if fleet_name:
        if record is not None:
            raise UsageError(
                "--report records the apply of one account; over a fleet, apply each member with"
                f" --env {fleet_name}/NAME --report FILE.json"
            )
        # A fleet's code (its member table, its waves) is loaded only for a run over a fleet.
        from verifyctl.cli.fleet_apply import Runner, apply_fleet, fleet_of
        from verifyctl.engine.waves import WavePolicy

        fleet = fleet_of(fleet_name, chosen, str(rollout.shard) if rollout.shard else "")
        if isinstance(saved, SavedPlan):
            raise StalePlanError(
                f"the saved plan is of one environment, not of fleet {fleet.name}; run plan --env "
                f"{fleet.name} --out FILE to save the fleet's"
            )
        waves = WavePolicy(
            wave_size=rollout.wave_size or DEFAULT_WAVE_SIZE,
            max_failed_members=rollout.max_failed_members or 0,
        )
        runner = Runner(fleet, paths, account, parallelism, guards, waves, wanted_targets)
        apply_fleet(runner, saved=saved, auto_approve=auto_approve)
        return
    if rollout.wave_size is not None or rollout.max_failed_members is not None:
        raise UsageError(
            "--wave-size and --max-failed-members roll out the members of a fleet; --env names none"
        )
    if is_fleet_plan(saved):
        raise StalePlanError(
            f"the saved plan is of fleet {saved.fleet}, and environment {account.env} is not a fleet"
        )
    target = chosen[0]
    if record is not None:
        record.environment = target.name or ""
    config = load_configuration(paths, target.variables, target.services_of, target.files)
    if record is not None:
        record.secrets = frozenset(config.secrets)
    with open_engine(account, parallelism, target) as engine:
        if record is not None:
            record.account = (engine.account_sid, engine.api_url)
        with reading(engine):
            if isinstance(saved, SavedPlan):
                plan = engine.plan_saved(saved, config)
            else:
                plan = engine.plan(config, wanted_targets)
                if not allow_delete:
                    plan = without_passing_duplicates(plan, lambda: engine.plan(config, wanted_targets))
        if record is not None:
            record.plan = plan
        if saved is None or not plan.has_changes:
            result(render_text(plan, use_colour(account.no_color, account.color)))
        if not plan.has_changes:
            return
        refuse_policy_errors(plan)
        check_guards(plan, allow_delete=allow_delete, force=force)
        # A saved plan was reviewed: applying it is the approval.
        if saved is None and not auto_approve:
            confirm_or_refuse(plan)
        execute(plan, engine, record)


def _check_files(paths: tuple[str, ...], saved: SavedPlan | None) -> None:
    """The plan is applied only as the files ask for it: without PATHS, those are verifyctl.yaml's."""
    if saved is None or paths:
        return
    if [Path(f).resolve() for f in saved.plan.files] != [Path(DEFAULT_PATH).resolve()]:
        raise UsageError(f"the saved plan was not made from {DEFAULT_PATH}; {saved.how_to_apply()}")
