"""`apply` over a fleet: plan every member, check each against the guards, then apply in waves."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import click

from verifyctl.cli.environment import Target
from verifyctl.cli.interrupts import stop_on_signals
from verifyctl.cli.options import AccountOptions, Parallelism, open_engine
from verifyctl.cli.output import plural, progress, result, use_colour
from verifyctl.engine import Engine, check_guards, load_configuration
from verifyctl.engine.racing import without_passing_duplicates
from verifyctl.engine.waves import (
    APPLIED,
    FAILED,
    NO_CHANGES,
    NOT_STARTED,
    SKIPPED,
    MemberResult,
    Rollout,
    WavePolicy,
    concurrently,
    exit_code_of,
)
from verifyctl.errors import (
    EXIT_REFUSED,
    PolicyRefusedError,
    RefusedError,
    StalePlanError,
    VerifyctlError,
)
from verifyctl.plan.model import Plan, mask_sid, sid_digest
from verifyctl.plan.saved_fleet import SavedFleet
from verifyctl.render.fleet_apply import render_member_table
from verifyctl.render.text import render_text
from verifyctl.resources.addresses import Address

# Members planned at once; each member's own requests are paced by its account's limit.
PLANNING_WORKERS = 32


class FleetMember(Protocol):
    """A member of a fleet as apply needs it: its name, account and the target that opens it."""

    @property
    def name(self) -> str: ...
    @property
    def account_sid(self) -> str: ...
    @property
    def target(self) -> Target: ...


@dataclass(frozen=True)
class LeftOut:
    """A subaccount the fleet selects but does not touch (closed, suspended), and why."""

    name: str
    account_sid: str
    why: str


@dataclass(frozen=True)
class Fleet:
    """The members of one run over a fleet, in the fleet's order, and those it leaves out."""

    name: str
    members: Sequence[FleetMember]
    left_out: Sequence[LeftOut] = ()
    shard: str = ""  # "K/N" under --shard


@dataclass(frozen=True)
class MemberTarget:
    """A member's target with the member's name and account, as the fleet's resolution gave them."""

    name: str
    account_sid: str
    target: Target


def fleet_of(name: str, targets: Sequence[Target], shard: str = "") -> Fleet:
    """The fleet of `--env FLEET[/MEMBER]`: its members' targets, and the subaccounts it skips."""
    members: list[FleetMember] = []
    left_out: list[LeftOut] = []
    for target in targets:
        member = target.member
        assert member is not None, "a fleet's targets are its members"
        if target.skipped:
            left_out.append(LeftOut(member.name, member.sid, target.skipped))
        else:
            members.append(MemberTarget(member.name, member.sid, target))
    return Fleet(targets[0].fleet if targets else name, members, left_out, shard)


@dataclass(frozen=True)
class Guards:
    """The flags that allow a plan, fleet-wide."""

    allow_delete: bool = False
    force: bool = False


class FleetApplyError(VerifyctlError):
    """Members of a fleet failed or were not started; the exit code is the first failure's."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Runner:
    """One apply over a fleet: the files, the account options and the guards it runs with."""

    fleet: Fleet
    paths: tuple[str, ...]
    account: AccountOptions
    parallelism: Parallelism
    guards: Guards
    waves: WavePolicy
    targets: Sequence[Address] = ()

    def __post_init__(self) -> None:
        self._engines: set[Engine] = set()
        self._lock = threading.Lock()
        self._done = 0

    # -- planning ------------------------------------------------------------------------------------

    def plan_member(self, member: FleetMember, saved: SavedFleet | None) -> Plan:
        """The member's plan: made now, or (from a saved fleet plan) made now and held to the saved one."""
        target = member.target
        config = load_configuration(self.paths, target.variables, target.services_of, target.files)
        with open_engine(self.account, self.parallelism, target) as engine:
            if saved is not None:
                recorded = saved.member(member.account_sid)
                assert recorded is not None  # the member sets were compared first
                return engine.plan_saved(recorded.saved, config)
            plan = engine.plan(config, self.targets)
            if not self.guards.allow_delete:
                plan = without_passing_duplicates(plan, lambda: engine.plan(config, self.targets))
            return plan

    def plan_all(self, saved: SavedFleet | None) -> list[Plan | VerifyctlError]:
        """Every member's plan (or the error that stopped it), planned concurrently, in member order."""

        def one(member: FleetMember) -> Plan | VerifyctlError:
            try:
                return self.plan_member(member, saved)
            except VerifyctlError as error:
                return error

        members = self.fleet.members
        if len(members) <= 1:
            return [one(member) for member in members]
        workers = min(len(members), PLANNING_WORKERS)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="verifyctl-plan") as pool:
            return list(pool.map(one, members))

    # -- applying ------------------------------------------------------------------------------------

    def apply_member(self, member: FleetMember, plan: Plan, stop: threading.Event) -> MemberResult:
        """Apply the member's plan with an engine of its own; its failure is its result, never raised."""
        started = time.monotonic()
        try:
            with open_engine(self.account, self.parallelism, member.target) as engine:
                with self._lock:
                    self._engines.add(engine)
                try:
                    outcome = engine.apply(plan, stop=stop)
                finally:
                    with self._lock:
                        self._engines.discard(engine)
        except VerifyctlError as error:
            found = MemberResult(member.name, FAILED, str(error), error.exit_code)
        else:
            applied = plural(len(outcome.applied), "change")
            if outcome.ok:
                found = MemberResult(member.name, APPLIED, applied)
            elif outcome.failed:
                first = outcome.failed[0]
                refused = outcome.refused_write
                code = refused.exit_code if refused is not None else 1
                counts = f"{len(outcome.failed)} of {plural(len(plan.changes), 'change')} failed"
                found = MemberResult(
                    member.name, FAILED, f"{counts}: {first.change.address}: {first.detail}", code
                )
            else:
                found = MemberResult(member.name, NOT_STARTED, f"interrupted after {applied}")
        self._said(member, found, time.monotonic() - started)
        return found

    def _said(self, member: FleetMember, found: MemberResult, seconds: float) -> None:
        with self._lock:
            self._done += 1
            number = self._done
        detail = f": {found.detail}" if found.detail else ""
        progress(f"  [{number}] {member.name}: {found.status}{detail} ({seconds:.2f} s)")

    def cancel_requests(self) -> None:
        with self._lock:
            engines = list(self._engines)
        for engine in engines:
            engine.cancel_requests()


def check_member_set(fleet: Fleet, saved: SavedFleet) -> None:
    """Refuse (exit 3) a saved plan made for another fleet, shard or set of members."""
    if saved.fleet != fleet.name:
        raise StalePlanError(
            f"the saved plan is for fleet {saved.fleet}, not {fleet.name}; nothing was applied"
        )
    if saved.shard != fleet.shard:
        made = f"--shard {saved.shard}" if saved.shard else "the whole fleet"
        now = f"--shard {fleet.shard}" if fleet.shard else "the whole fleet"
        raise StalePlanError(f"the saved plan was made for {made}, not {now}; nothing was applied")
    current = {sid_digest(member.account_sid): member.name for member in fleet.members}
    recorded = {member.saved.sid_sha256: member.name for member in saved.members}
    if current.keys() != recorded.keys():
        added = sorted(current[d] for d in current.keys() - recorded.keys())
        removed = sorted(recorded[d] for d in recorded.keys() - current.keys())
        parts = [f"{len(added)} new ({_names(added)})"] if added else []
        parts += [f"{len(removed)} gone ({_names(removed)})"] if removed else []
        raise StalePlanError(
            f"the saved plan is for another set of members of fleet {fleet.name}: {'; '.join(parts)}; "
            "nothing was applied: run plan again"
        )


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _refusals(
    fleet: Fleet, plans: Sequence[Plan | VerifyctlError], saved: SavedFleet | None
) -> list[tuple[str, VerifyctlError]]:
    """Under a saved plan, the members whose plan is refused (stale or failed): any one refuses all."""
    if saved is None:
        return []
    return [
        (member.name, outcome)
        for member, outcome in zip(fleet.members, plans, strict=True)
        if isinstance(outcome, VerifyctlError)
    ]


def guard_member(plan: Plan, guards: Guards) -> None:
    """A member's plan against the policy and the guards (RefusedError, exit 3)."""
    if plan.blocking:
        raise PolicyRefusedError(list(plan.blocking))
    check_guards(plan, allow_delete=guards.allow_delete, force=guards.force)


def show_plans(fleet: Fleet, plans: Sequence[Plan | VerifyctlError], colour: bool) -> None:
    """Each member with changes, its plan under a heading naming it; members without changes, counted."""
    sections = [
        f"=== member {member.name} ({mask_sid(member.account_sid)}) ===\n{render_text(outcome, colour)}"
        for member, outcome in zip(fleet.members, plans, strict=True)
        if isinstance(outcome, Plan) and outcome.has_changes
    ]
    if sections:
        result("\n".join(sections) + "\n")


def confirm_or_refuse(fleet: Fleet, changes: int, members: int) -> None:
    if not sys.stdin.isatty():
        raise RefusedError(
            "apply needs --auto-approve when it does not run on a terminal (or a reviewed --plan)"
        )
    question = f"Apply {plural(changes, 'change')} to {plural(members, 'member')} of fleet {fleet.name}?"
    if not click.confirm(question, default=False, err=True):
        raise RefusedError("apply cancelled; nothing was changed")


def apply_fleet(
    runner: Runner,
    *,
    saved: SavedFleet | None = None,
    auto_approve: bool = False,
    on_wave: Callable[[int, Sequence[FleetMember]], None] | None = None,
) -> None:
    """Plan every member, refuse or fail those the guards stop, then roll the rest out in waves; the
    member table ends the run, and the exit code is the first failure's."""
    fleet = runner.fleet
    if saved is not None:
        check_member_set(fleet, saved)
    started = time.monotonic()
    plans = runner.plan_all(saved)
    progress(
        f"fleet {fleet.name}: planned {plural(len(fleet.members), 'member')} in "
        f"{time.monotonic() - started:.2f} s."
    )
    refused = _refusals(fleet, plans, saved)
    if refused:
        lines = [f"  {name}: {error}" for name, error in refused]
        raise StalePlanError(
            f"the saved plan of fleet {fleet.name} is refused for {plural(len(refused), 'member')}; "
            "nothing was applied:\n" + "\n".join(lines)
        )
    colour = use_colour(runner.account.no_color, runner.account.color)
    show_plans(fleet, plans, colour)
    # By the member's place in the fleet: two subaccounts may share a friendly name.
    results: dict[int, MemberResult] = {}
    to_apply: list[tuple[int, FleetMember, Plan]] = []
    for index, (member, outcome) in enumerate(zip(fleet.members, plans, strict=True)):
        if isinstance(outcome, VerifyctlError):
            results[index] = MemberResult(member.name, FAILED, str(outcome), outcome.exit_code)
        elif not outcome.has_changes:
            results[index] = MemberResult(member.name, NO_CHANGES)
        else:
            try:
                guard_member(outcome, runner.guards)
            except RefusedError as error:
                results[index] = MemberResult(member.name, FAILED, str(error), EXIT_REFUSED)
            else:
                to_apply.append((index, member, outcome))
    failed_first = sum(1 for r in results.values() if r.failed)
    will_start = to_apply and failed_first <= runner.waves.max_failed_members
    if will_start and saved is None and not auto_approve:
        confirm_or_refuse(fleet, sum(p.summary.total for _, _, p in to_apply), len(to_apply))
    plans_of = {id(member): plan for _, member, plan in to_apply}
    interrupt_code = 0
    with stop_on_signals(runner.cancel_requests) as interrupt:

        def wave_started(number: int, wave: Sequence[FleetMember]) -> None:
            kind = "canary" if number == 1 else "wave"
            progress(f"fleet {fleet.name}: {kind} {number}: {plural(len(wave), 'member')}")
            if on_wave is not None:
                on_wave(number, wave)

        rollout: Rollout[FleetMember] = Rollout(
            runner.waves,
            lambda member: runner.apply_member(member, plans_of[id(member)], interrupt.stop),
            run_wave=concurrently(runner.parallelism.ceiling),
            stop=interrupt.stop,
            on_wave=wave_started,
        )
        ended = rollout.run([member for _, member, _ in to_apply], failed_before=failed_first)
        results.update((index, found) for (index, _, _), found in zip(to_apply, ended, strict=True))
        if interrupt.stop.is_set():
            interrupt_code = interrupt.exit_code
    ordered = [results[index] for index in range(len(fleet.members))]
    ordered += [MemberResult(left.name, SKIPPED, left.why) for left in fleet.left_out]
    accounts = [mask_sid(member.account_sid) for member in fleet.members]
    accounts += [mask_sid(left.account_sid) for left in fleet.left_out]
    result(render_member_table(fleet.name, ordered, accounts))
    if interrupt_code:
        progress("Interrupted: members not started were left as they are — run apply again to converge")
        raise click.exceptions.Exit(interrupt_code)
    code = exit_code_of(ordered)
    if code:
        failed = [r for r in ordered if r.failed]
        not_started = sum(1 for r in ordered if r.status == NOT_STARTED)
        raise FleetApplyError(
            f"fleet {fleet.name}: {plural(len(failed), 'member')} failed, {not_started} not started "
            f"(first: {failed[0].name if failed else 'none'}); fix the cause and run apply again to converge",
            code,
        )
