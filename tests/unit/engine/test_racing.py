"""The racing check: a plan's duplicate deletes are looked at again until they stop going away."""

from __future__ import annotations

from tests.unit.client.support import FakeTime
from verifyctl.client.retry import RetryPolicy
from verifyctl.engine.racing import REPLAN_PAUSE_SECONDS, REPLANS, without_passing_duplicates
from verifyctl.plan.duplicates import duplicate_reason
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.resources.addresses import Address


def plan_deleting(*ids: str) -> Plan:
    return Plan(
        changes=tuple(
            Change(
                Address.parse(f"service[A#{object_id}]"),
                Action.DELETE,
                {"friendly_name": "A"},
                None,
                (),
                id=object_id,
                reason=duplicate_reason("service[A]", "VAkept"),
            )
            for object_id in ids
        )
    )


def check(first: Plan, later: list[Plan]) -> tuple[Plan, list[float]]:
    fake_time = FakeTime()
    replans = iter(later)
    timing = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    return without_passing_duplicates(first, lambda: next(replans), timing), fake_time.sleeps


def test_a_plan_without_duplicates_is_taken_at_once() -> None:
    plan, sleeps = check(Plan(changes=()), [])
    assert plan.changes == () and sleeps == []


def test_duplicates_that_go_away_leave_a_plan_without_them() -> None:
    plan, sleeps = check(plan_deleting("VA1", "VA2"), [plan_deleting("VA2"), Plan(changes=())])
    assert plan.changes == ()
    assert sleeps == [REPLAN_PAUSE_SECONDS, REPLAN_PAUSE_SECONDS]


def test_duplicates_that_stay_are_planned_after_one_unchanged_look() -> None:
    plan, sleeps = check(plan_deleting("VA1"), [plan_deleting("VA1")])
    assert [change.id for change in plan.changes] == ["VA1"]
    assert sleeps == [REPLAN_PAUSE_SECONDS]


def test_the_looks_are_bounded() -> None:
    changing = [plan_deleting(f"VA{n}") for n in range(REPLANS)]
    plan, sleeps = check(plan_deleting("VAx"), changing)
    assert [change.id for change in plan.changes] == [f"VA{REPLANS - 1}"]
    assert sleeps == [REPLAN_PAUSE_SECONDS] * REPLANS
