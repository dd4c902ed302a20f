"""A fleet's members worked on at once: one pool and one budget of requests in flight for all of them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from verifyctl.client import RequestStats, SharedConnections
from verifyctl.config.loader import Config
from verifyctl.engine.account import connect
from verifyctl.engine.desired import desired_of, load_configuration
from verifyctl.engine.engine import Engine, Shared
from verifyctl.engine.inventory import Entry
from verifyctl.engine.target import FleetParent, Target
from verifyctl.errors import PlanError, VerifyctlError
from verifyctl.plan.fleet import FleetPlan, MemberPlan
from verifyctl.plan.model import Action, Plan, mask_sid
from verifyctl.resources.addresses import Address
from verifyctl.state.reader import read_services

T = TypeVar("T")


class ServiceCapError(PlanError):
    """A fleet's plan would take the family (parent and subaccounts) past its cap on services."""


@dataclass(frozen=True)
class Done(Generic[T]):
    """What working on one member gave: its value, or the error that stopped it (skipped: neither)."""

    target: Target
    value: T | None = None
    error: VerifyctlError | None = None


@dataclass(frozen=True)
class Ceiling:
    """--parallelism for a fleet: the most requests in flight across all members, each member's
    client adapting its own limit below it (fixed at it without `adaptive`)."""

    requests: int = 64
    adaptive: bool = True


def run_members(
    targets: Sequence[Target],
    work: Callable[[Target, Engine], T],
    ceiling: Ceiling,
    allow_http_hosts: tuple[str, ...] = (),
    stats: RequestStats | None = None,
) -> list[Done[T]]:
    """`work` on each member's engine, members concurrently; every member ends before this returns.

    One pool serves every member's reads and one semaphore holds the requests in flight across the
    fleet at the ceiling, so that a thousand members cost no thousand pools; as many members run at
    once as the ceiling has requests (a member's reads come in rounds, so fewer would leave it idle).
    A member's VerifyctlError is its result; any other exception is raised once all have ended.
    `stats`: counts every member's requests.
    """
    members = [t for t in targets if not t.skipped]
    budget = threading.BoundedSemaphore(ceiling.requests)
    runners = max(1, min(len(members), ceiling.requests))
    connections = SharedConnections(ceiling.requests)
    with (
        closing(connections),
        ThreadPoolExecutor(max_workers=ceiling.requests, thread_name_prefix="verifyctl") as pool,
        ThreadPoolExecutor(max_workers=runners, thread_name_prefix="verifyctl-member") as runner,
    ):
        shared = Shared(pool, budget, connections)

        def one(target: Target) -> T:
            if target.problem is not None:
                raise target.problem
            assert target.spec is not None
            spec = replace(target.spec, allow_http_hosts=allow_http_hosts)
            with Engine.open(
                spec, parallelism=ceiling.requests, adaptive=ceiling.adaptive, shared=shared
            ) as engine:
                try:
                    return work(target, engine)
                finally:
                    if stats is not None:
                        stats.add(engine.stats)

        futures = {id(t): runner.submit(one, t) for t in members}
        wait(futures.values())
    done: list[Done[T]] = []
    for target in targets:
        future = futures.get(id(target))
        if future is None:
            done.append(Done(target))
            continue
        error = future.exception()
        if error is not None and not isinstance(error, VerifyctlError):
            raise error
        done.append(Done(target, error=error) if error is not None else Done(target, future.result()))
    return done


def plan_fleet(
    fleet: str,
    targets: Sequence[Target],
    paths: Sequence[str],
    addresses: Sequence[Address],
    ceiling: Ceiling,
    *,
    allow_http_hosts: tuple[str, ...] = (),
    on_plan: Callable[[Target, Plan], None] = lambda target, plan: None,
    stats: RequestStats | None = None,
) -> FleetPlan:
    """Every member's plan (the files parsed once for all, substituted per member), the skipped ones
    listed; then the family's cap on services checked (ServiceCapError when the plans cross it)."""

    def plan_member(target: Target, engine: Engine) -> Plan:
        plan = engine.plan(_config_of(target, paths), addresses)
        on_plan(target, plan)
        return plan

    done = run_members(targets, plan_member, ceiling, allow_http_hosts, stats)
    members = tuple(_member_plan(d) for d in done)
    result = FleetPlan(fleet, members)
    parent = next((t.parent for t in targets if t.parent is not None), None)
    if parent is not None and parent.max_services is not None and result.planned:
        check_service_cap(parent, result.planned, allow_http_hosts)
    return result


def inventory_fleet(
    targets: Sequence[Target],
    paths: Sequence[str],
    ceiling: Ceiling,
    allow_http_hosts: tuple[str, ...] = (),
    stats: RequestStats | None = None,
) -> list[Done[list[Entry]]]:
    """Each member's declared services, live (for `output` and `show`), members concurrently."""

    def read(target: Target, engine: Engine) -> list[Entry]:
        return engine.inventory(desired_of(_config_of(target, paths), target.name))

    return run_members(targets, read, ceiling, allow_http_hosts, stats)


def _config_of(target: Target, paths: Sequence[str]) -> Config:
    return load_configuration(paths, target.variables, target.services_of, target.files)


def _member_plan(done: Done[Plan]) -> MemberPlan:
    target = done.target
    member = target.member
    name = member.name if member is not None else target.name
    sid = member.sid if member is not None else ""
    if done.error is not None:
        return MemberPlan(name, sid, error=str(done.error), exit_code=done.error.exit_code)
    return MemberPlan(name, sid, plan=done.value, skipped=target.skipped)


def check_service_cap(
    parent: FleetParent, planned: Sequence[MemberPlan], allow_http_hosts: tuple[str, ...] = ()
) -> None:
    """Refuse (before any write) plans that take the services of the parent and its members past the
    cap: the parent's live services, each planned member's, and the services the plans create."""
    cap = parent.max_services
    assert cap is not None
    spec = replace(parent.spec, allow_http_hosts=allow_http_hosts)
    with connect(spec, 1) as connection:
        at_parent = len(read_services(connection.client))
    live = sum(m.plan.live_services for m in planned if m.plan is not None)
    created = sum(
        1
        for m in planned
        if m.plan is not None
        for change in m.plan.changes
        if change.action is Action.CREATE and change.address.kind.name == "service"
    )
    total = at_parent + live + created
    if total > cap:
        raise ServiceCapError(
            f"environment {parent.fleet}: the plan would take the services of parent"
            f" {mask_sid(parent.spec.credentials.account_sid if parent.spec.credentials else '')} and its"
            f" subaccounts to {total}, past their cap of {cap} (subaccounts_of.max_services; Twilio error"
            f" 21102): {at_parent} at the parent, {live} in the {len(planned)} members planned, {created} to"
            " create; nothing was written"
        )
