"""Live duplicates (racing creates): the plan keeps the rule's survivor and deletes the rest, cascaded."""

from __future__ import annotations

from dataclasses import replace

from tests.unit.plan.test_diff import SID_A, SID_B, actions, live, service_children, want
from verifyctl.plan.diff import make_plan
from verifyctl.plan.model import Action
from verifyctl.resources.kinds import BUCKET, RATE_LIMIT, SERVICE, WEBHOOK
from verifyctl.resources.survivor import rank

OLD, NEW = "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"


def test_the_rule_orders_by_date_then_sid() -> None:
    assert rank(OLD, SID_B) < rank(NEW, SID_A)
    assert rank(OLD, SID_A) < rank(OLD, SID_B)
    assert rank(OLD, SID_B) < rank("", SID_A)  # an unknown date never outranks a dated one


def test_a_plan_over_duplicate_services_keeps_the_oldest_and_deletes_the_rest_with_children() -> None:
    bucket = live(BUCKET, "60", "BL1")
    older = replace(live(SERVICE, "Acme", SID_B, service_children()), created=OLD)
    newer = replace(
        live(
            SERVICE,
            "Acme",
            SID_A,
            service_children(rate_limit=[live(RATE_LIMIT, "ip", "RK1", {"bucket": [bucket]})]),
        ),
        created=NEW,
    )
    plan = make_plan([want(SERVICE, "Acme", code_length=6)], [newer, older])
    assert actions(plan) == [
        ("update", "service[Acme]"),
        ("delete", f"service[{SID_A}]"),
        ("delete", f"service[{SID_A}]/rate_limit[ip]"),
        ("delete", f"service[{SID_A}]/rate_limit[ip]/bucket[60]"),
    ]
    update, delete, *cascade = plan.changes
    assert update.id == SID_B and delete.id == SID_A
    assert f"duplicate of service[Acme]: {SID_B} is kept" in delete.reason
    assert all(c.deleted_with is not None for c in cascade)
    assert [flag for flag, _ in plan.needed_flags()] == ["--allow-delete"]


def test_equal_dates_keep_the_lowest_sid() -> None:
    lives = [
        replace(live(SERVICE, "Acme", SID_B, service_children()), created=OLD),
        replace(live(SERVICE, "Acme", SID_A, service_children()), created=OLD),
    ]
    plan = make_plan([want(SERVICE, "Acme")], lives)
    assert [(c.action, c.id) for c in plan.changes] == [(Action.DELETE, SID_B)]


def test_services_pinned_apart_sharing_a_name_stay_legal() -> None:
    lives = [
        live(SERVICE, "Acme", SID_A, service_children()),
        live(SERVICE, "Acme", SID_B, service_children()),
    ]
    desired = [replace(want(SERVICE, "Acme"), id=SID_A), replace(want(SERVICE, "Acme"), id=SID_B)]
    assert make_plan(desired, lives).changes == ()


def test_duplicated_children_of_one_identity_keep_the_survivor() -> None:
    hooks = [
        replace(live(WEBHOOK, "audit", "YW2", webhook_url="https://a.example/x"), created=NEW),
        replace(live(WEBHOOK, "audit", "YW1", webhook_url="https://a.example/x"), created=NEW),
    ]
    current = live(SERVICE, "Acme", SID_A, service_children(webhook=hooks))
    desired = want(SERVICE, "Acme", {"webhook": [want(WEBHOOK, "audit", webhook_url="https://a.example/x")]})
    plan = make_plan([desired], [current])
    assert actions(plan) == [("delete", "service[Acme]/webhook[YW2]")]
    assert plan.changes[0].id == "YW2" and "webhook[audit]: YW1 is kept" in plan.changes[0].reason
    assert plan.ids[plan.changes[0].address] == "YW2"
