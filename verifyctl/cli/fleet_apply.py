"""`apply` over a fleet: plan every member, check each against the guards, then apply in waves."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import click

from verifyctl.cli.environment import Target
from verifyctl.cli.interrupts import stop_on_signals
from verifyctl.cli.options import AccountOptions, Parallelism
from verifyctl.cli.output import plural, progress, result, use_colour
from verifyctl.cli.read_back import stored_differently
from verifyctl.engine import Engine, check_guards, load_configuration
from verifyctl.engine.fleet import Skipped
from verifyctl.engine.fleet_run import Ceiling, check_service_cap, run_members
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
    exit_code_of,
)
from verifyctl.errors import (
    EXIT_ERROR,
    EXIT_REFUSED,
    PolicyRefusedError,
    RefusedError,
    StalePlanError,
    VerifyctlError,
)
from verifyctl.plan.fleet import FleetPlan, MemberPlan
from verifyctl.plan.guards import Guards
from verifyctl.plan.model import Plan, mask_sid, sid_digest
from verifyctl.plan.saved import printable
from verifyctl.plan.saved_fleet import SavedFleet
from verifyctl.render.fleet import render_fleet_text
from verifyctl.render.fleet_apply import one_line, render_member_table
from verifyctl.resources.addresses import Address


class FleetMember(Protocol):
    """A member of a fleet as apply needs it: its name, account and the target that opens it."""

    @property
    def name(self) -> str: ...
    @property
    def account_sid(self) -> str: ...
    @property
    def target(self) -> Target: ...


@dataclass(frozen=True)
class Fleet:
    """The members of one run over a fleet, in the fleet's order, and those it leaves out."""

    name: str
    members: Sequence[FleetMember]
    left_out: Sequence[Skipped] = ()  # selected but not touched (closed, suspended), and why
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
    left_out: list[Skipped] = []
    for target in targets:
        member = target.member
        assert member is not None, "a fleet's targets are its members"
        if target.skipped:
            left_out.append(Skipped(member.name, member.sid, target.skipped))
        else:
            members.append(MemberTarget(member.name, member.sid, target))
    return Fleet(targets[0].fleet if targets else name, members, left_out, shard)


class FleetApplyError(VerifyctlError):
    """Members of a fleet failed or were not started; the exit code is the first failure's."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Opened:
    """A member whose engine is open (a member of the wave running now)."""

    member: FleetMember
    engine: Engine

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def account_sid(self) -> str:
        return self.member.account_sid

    @property
    def target(self) -> Target:
        return self.member.target


@dataclass
class Runner:
    """One apply over a fleet: the files, the account options and the guards it runs with.

    Members are worked on through the fleet's run (engine/fleet_run.py): one pool and one budget of
    requests in flight across every member, each member's client keeping its own adaptive limit.
    """

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

    @property
    def ceiling(self) -> Ceiling:
        return Ceiling(self.parallelism.ceiling, self.parallelism.adaptive)

    # -- planning ------------------------------------------------------------------------------------

    def plan_member(self, member: FleetMember, engine: Engine, saved: SavedFleet | None) -> Plan:
        """The member's plan: made now, or (from a saved fleet plan) made now and held to the saved one."""
        target = member.target
        config = load_configuration(self.paths, target.variables, target.services_of, target.files)
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
        members = self.fleet.members
        by_target = {id(member.target): member for member in members}

        def work(target: Target, engine: Engine) -> Plan:
            return self.plan_member(by_target[id(target)], engine, saved)

        done = run_members([m.target for m in members], work, self.ceiling, self.account.allow_http_hosts)
        return [d.value if d.value is not None else _error_of(d.error) for d in done]

    def check_service_cap(self, plans: Sequence[Plan | VerifyctlError]) -> None:
        """The family's cap on services, as plan checks it: crossing it refuses the whole apply."""
        parent = next((m.target.parent for m in self.fleet.members if m.target.parent is not None), None)
        if parent is None or parent.max_services is None:
            return
        planned = [
            MemberPlan(member.name, member.account_sid, plan=plan)
            for member, plan in zip(self.fleet.members, plans, strict=True)
            if isinstance(plan, Plan)
        ]
        if planned:
            check_service_cap(parent, planned, self.account.allow_http_hosts)

    # -- applying ------------------------------------------------------------------------------------

    def run_wave(
        self, members: Sequence[FleetMember], apply: Callable[[FleetMember], MemberResult]
    ) -> list[MemberResult]:
        """A wave: its members' engines opened together under the fleet's budget, each applied."""
        by_target = {id(member.target): member for member in members}

        def work(target: Target, engine: Engine) -> MemberResult:
            return apply(Opened(by_target[id(target)], engine))

        done = run_members([m.target for m in members], work, self.ceiling, self.account.allow_http_hosts)
        results = []
        for member, ended in zip(members, done, strict=True):
            if ended.value is not None:
                results.append(ended.value)
            else:
                error = _error_of(ended.error)
                results.append(MemberResult(member.name, FAILED, str(error), error.exit_code))
        return results

    def apply_member(self, opened: Opened, plan: Plan, stop: threading.Event) -> MemberResult:
        """Apply the member's plan with its open engine; its failure is its result, never raised."""
        started = time.monotonic()
        engine, name = opened.engine, opened.name
        with self._lock:
            self._engines.add(engine)
        try:
            outcome = engine.apply(plan, stop=stop)
        except VerifyctlError as error:
            found = MemberResult(name, FAILED, str(error), error.exit_code)
        else:
            applied = plural(len(outcome.applied), "change")
            read_back = stored_differently(outcome, plan.secrets)
            if outcome.ok and read_back is not None:
                # The values to write in the file, whole: a member's one-line result cannot hold them.
                result(f"{printable(name)}: {read_back}\n")
                stored = f"{applied} applied, values stored differently (listed with the value to write)"
                found = MemberResult(name, FAILED, stored, read_back.exit_code)
            elif outcome.ok:
                found = MemberResult(name, APPLIED, applied)
            elif outcome.failed:
                first = outcome.failed[0]
                refused = outcome.refused_write
                code = refused.exit_code if refused is not None else EXIT_ERROR
                counts = f"{len(outcome.failed)} of {plural(len(plan.changes), 'change')} failed"
                found = MemberResult(name, FAILED, f"{counts}: {first.change.address}: {first.detail}", code)
            else:
                found = MemberResult(name, NOT_STARTED, f"interrupted after {applied}")
        finally:
            with self._lock:
                self._engines.discard(engine)
        self._said(name, found, time.monotonic() - started)
        return found

    def _said(self, name: str, found: MemberResult, seconds: float) -> None:
        with self._lock:
            self._done += 1
            number = self._done
        detail = f": {found.detail}" if found.detail else ""
        progress(f"  [{number}] {printable(name)}: {found.status}{one_line(detail)} ({seconds:.2f} s)")

    def cancel_requests(self) -> None:
        with self._lock:
            engines = list(self._engines)
        for engine in engines:
            engine.cancel_requests()


def _error_of(error: VerifyctlError | None) -> VerifyctlError:
    return error if error is not None else VerifyctlError("the member was not worked on")


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
    """The fleet's plan as `plan` shows it: the member table, then each member with changes."""
    members = [
        MemberPlan(member.name, member.account_sid, plan=outcome)
        if isinstance(outcome, Plan)
        else MemberPlan(member.name, member.account_sid, error=str(outcome), exit_code=outcome.exit_code)
        for member, outcome in zip(fleet.members, plans, strict=True)
    ]
    members += [MemberPlan(left.name, left.sid, skipped=left.reason) for left in fleet.left_out]
    result(render_fleet_text(FleetPlan(fleet.name, tuple(members), fleet.shard), colour))


def confirm_or_refuse(fleet: Fleet, changes: int, members: int) -> None:
    if not sys.stdin.isatty():
        raise RefusedError(
            "apply needs --auto-approve when it does not run on a terminal (or a reviewed --plan)"
        )
    question = f"Apply {plural(changes, 'change')} to {plural(members, 'member')} of fleet {fleet.name}?"
    if not click.confirm(question, default=False, err=True):
        raise RefusedError("apply cancelled; nothing was changed")


def _opened(member: FleetMember) -> Opened:
    assert isinstance(member, Opened), "a wave's members are opened by Runner.run_wave"
    return member


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
    runner.check_service_cap(plans)
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

        def apply(member: FleetMember) -> MemberResult:
            opened = _opened(member)
            return runner.apply_member(opened, plans_of[id(opened.member)], interrupt.stop)

        rollout: Rollout[FleetMember] = Rollout(
            runner.waves, apply, run_wave=runner.run_wave, stop=interrupt.stop, on_wave=wave_started
        )
        ended = rollout.run([member for _, member, _ in to_apply], failed_before=failed_first)
        results.update((index, found) for (index, _, _), found in zip(to_apply, ended, strict=True))
        if interrupt.stop.is_set():
            interrupt_code = interrupt.exit_code
    ordered = [results[index] for index in range(len(fleet.members))]
    ordered += [MemberResult(left.name, SKIPPED, left.reason) for left in fleet.left_out]
    accounts = [mask_sid(member.account_sid) for member in fleet.members]
    accounts += [mask_sid(left.sid) for left in fleet.left_out]
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
