"""Unit tests for the pure diff: matching, managed fields, authoritative child lists, replaces, targets."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from verifyctl.errors import PlanError, RefusedError, UsageError
from verifyctl.plan.diff import make_plan
from verifyctl.plan.guards import check_guards
from verifyctl.plan.model import Action, Plan
from verifyctl.plan.saved import differences, saved_plan_of
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import BUCKET, MESSAGING_CONFIGURATION, RATE_LIMIT, SERVICE, WEBHOOK, Kind
from verifyctl.resources.records import DesiredRecord, LiveRecord

SID_A = "VA" + "a" * 32
SID_B = "VA" + "b" * 32


def live(
    kind: Kind, key: str, id: str, children: dict[str, list[LiveRecord]] | None = None, **fields: Any
) -> LiveRecord:
    values = {f.key: None for f in kind.fields}
    values[kind.identity] = int(key) if kind is BUCKET else key
    values.update({k.replace("__", "."): v for k, v in fields.items()})
    return LiveRecord(kind, key, values, id=id, children=children if children is not None else {})


def want(
    kind: Kind, key: str, children: dict[str, list[DesiredRecord]] | None = None, **fields: Any
) -> DesiredRecord:
    values: dict[str, Any] = {kind.identity: int(key) if kind is BUCKET else key}
    values.update({k.replace("__", "."): v for k, v in fields.items()})
    return DesiredRecord(kind, key, values, children=children or {})


def service_children(**lists: list[LiveRecord]) -> dict[str, list[LiveRecord]]:
    base: dict[str, list[LiveRecord]] = {"rate_limit": [], "messaging_configuration": [], "webhook": []}
    base.update(lists)
    return base


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, str(c.address)) for c in plan.changes]


def test_create_service_with_children_in_address_order() -> None:
    bucket = want(BUCKET, "60", max=5)
    desired = [
        want(
            SERVICE,
            "Acme",
            {
                "rate_limit": [want(RATE_LIMIT, "ip", {"bucket": [bucket]})],
                "webhook": [want(WEBHOOK, "audit")],
            },
            code_length=6,
        )
    ]
    plan = make_plan(desired, [])
    assert actions(plan) == [
        ("create", "service[Acme]"),
        ("create", "service[Acme]/rate_limit[ip]"),
        ("create", "service[Acme]/rate_limit[ip]/bucket[60]"),
        ("create", "service[Acme]/webhook[audit]"),
    ]
    assert plan.changes[0].after == {"friendly_name": "Acme", "code_length": 6}
    assert plan.changes[2].parent == Address.parse("service[Acme]/rate_limit[ip]")
    assert plan.summary.add == 4


def test_only_written_fields_are_managed() -> None:
    current = live(SERVICE, "Acme", SID_A, service_children(), code_length=4, lookup_enabled=True)
    plan = make_plan([want(SERVICE, "Acme", code_length=6)], [current])
    (change,) = plan.changes
    assert change.action is Action.UPDATE
    assert change.changed_fields == ("code_length",)
    assert change.before is not None and change.before["code_length"] == 4
    assert change.after is not None and change.after["code_length"] == 6
    assert change.after["lookup_enabled"] is True


def test_equal_values_make_no_changes() -> None:
    current = live(SERVICE, "Acme", SID_A, service_children(), code_length=6, totp__skew=1)
    plan = make_plan([want(SERVICE, "Acme", code_length=6, totp__skew=1)], [current])
    assert not plan.has_changes
    assert plan.covered == 1


def test_unwritten_child_list_is_left_alone_and_written_one_is_authoritative() -> None:
    current = live(
        SERVICE,
        "Acme",
        SID_A,
        service_children(
            webhook=[live(WEBHOOK, "old", "YW" + "1" * 32)],
            messaging_configuration=[live(MESSAGING_CONFIGURATION, "US", "US", messaging_service_sid="MG1")],
        ),
    )
    plan = make_plan([want(SERVICE, "Acme", {"webhook": []})], [current])
    assert actions(plan) == [("delete", "service[Acme]/webhook[old]")]
    assert plan.changes[0].id == "YW" + "1" * 32


def test_rate_limit_case_change_is_a_replace_and_recreates_buckets() -> None:
    current = live(
        SERVICE,
        "Acme",
        SID_A,
        service_children(
            rate_limit=[
                live(RATE_LIMIT, "ip", "RK" + "1" * 32, {"bucket": [live(BUCKET, "60", "BL1", max=5)]})
            ]
        ),
    )
    desired = want(
        SERVICE, "Acme", {"rate_limit": [want(RATE_LIMIT, "IP", {"bucket": [want(BUCKET, "60", max=5)]})]}
    )
    plan = make_plan([desired], [current])
    # The live bucket goes with the replaced rate limit (listed, no request of its own); the written one
    # is created under the replacement.
    assert actions(plan) == [
        ("replace", "service[Acme]/rate_limit[IP]"),
        ("delete", "service[Acme]/rate_limit[IP]/bucket[60]"),
        ("create", "service[Acme]/rate_limit[IP]/bucket[60]"),
    ]
    assert plan.changes[0].reason == "unique_name cannot be updated"
    assert plan.changes[1].deleted_with == Address.parse("service[Acme]/rate_limit[IP]")
    assert plan.changes[1].reason == "deleted with service[Acme]/rate_limit[IP]"
    assert plan.summary.destroy == 1 and plan.summary.replace == 1


def test_bucket_max_update_and_new_interval() -> None:
    rate_limit = live(RATE_LIMIT, "ip", "RK1", {"bucket": [live(BUCKET, "60", "BL1", max=5)]})
    current = live(SERVICE, "Acme", SID_A, service_children(rate_limit=[rate_limit]))
    desired = want(
        SERVICE,
        "Acme",
        {
            "rate_limit": [
                want(RATE_LIMIT, "ip", {"bucket": [want(BUCKET, "60", max=6), want(BUCKET, "3600", max=9)]})
            ]
        },
    )
    plan = make_plan([desired], [current])
    assert actions(plan) == [
        ("update", "service[Acme]/rate_limit[ip]/bucket[60]"),
        ("create", "service[Acme]/rate_limit[ip]/bucket[3600]"),
    ]
    assert plan.ids[Address.parse("service[Acme]/rate_limit[ip]")] == "RK1"


def test_sid_pin_renames_and_frees_the_name() -> None:
    lives = [
        live(SERVICE, "Old", SID_A, service_children()),
        live(SERVICE, "Acme", SID_B, service_children()),
    ]
    pinned = replace(want(SERVICE, "Acme"), id=SID_A)
    plan = make_plan([pinned], lives)
    (change,) = plan.changes
    assert (change.action, change.id, change.changed_fields) == (Action.UPDATE, SID_A, ("friendly_name",))


def test_pin_to_missing_service_is_an_error() -> None:
    pinned = replace(want(SERVICE, "Acme"), id=SID_A)
    with pytest.raises(PlanError, match="does not exist"):
        make_plan([pinned], [])


def test_removed_service_is_kept_unless_prune_or_absent() -> None:
    lives = [live(SERVICE, "Gone", SID_A, service_children())]
    assert not make_plan([], lives).has_changes
    assert actions(make_plan([], lives, prune=True)) == [("delete", "service[Gone]")]
    absent = replace(want(SERVICE, "Gone"), absent=True)
    assert actions(make_plan([absent], lives)) == [("delete", "service[Gone]")]
    assert not make_plan([absent], []).has_changes


def test_targets_scope_changes_and_keep_needed_parents() -> None:
    desired = [
        want(SERVICE, "A", {"webhook": [want(WEBHOOK, "w")]}),
        want(SERVICE, "B", code_length=6),
    ]
    plan = make_plan(desired, [], targets=[Address.parse("service[A]/webhook[w]")])
    assert actions(plan) == [("create", "service[A]"), ("create", "service[A]/webhook[w]")]
    only_b = make_plan(desired, [], targets=[Address.parse("service[B]")])
    assert actions(only_b) == [("create", "service[B]")]


def test_address_parsing_errors_are_usage_errors() -> None:
    assert Address.parse("service[A/B]/webhook[x]").segments == (("service", "A/B"), ("webhook", "x"))
    for bad in ["webhook[x]", "service[A]/bucket[60]", "service[A", "service[A]/", "nonsense"]:
        with pytest.raises(UsageError):
            Address.parse(bad)


def test_guards_refuse_deletes_and_sweeping_updates() -> None:
    lives = [live(SERVICE, f"S{i}", "VA" + f"{i:032x}", service_children(), code_length=4) for i in range(10)]
    with pytest.raises(RefusedError, match="--allow-delete"):
        check_guards(make_plan([], lives, prune=True), allow_delete=False, force=False)
    sweeping = make_plan([want(SERVICE, f"S{i}", code_length=6) for i in range(4)], lives)
    with pytest.raises(RefusedError, match="--force"):
        check_guards(sweeping, allow_delete=False, force=False)
    check_guards(sweeping, allow_delete=False, force=True)
    modest = make_plan([want(SERVICE, f"S{i}", code_length=6) for i in range(3)], lives)
    check_guards(modest, allow_delete=False, force=False)


def test_plan_json_round_trips_and_is_stable() -> None:
    current = live(SERVICE, "Acme", SID_A, service_children(), code_length=4)
    plan = make_plan([want(SERVICE, "Acme", code_length=6)], [current]).for_account("AC1", "http://x")
    again = make_plan([want(SERVICE, "Acme", code_length=6)], [current]).for_account("AC1", "http://x")
    assert plan.to_json() == again.to_json()
    saved = saved_plan_of(json.loads(plan.to_json()))
    assert saved.is_for("AC1", "http://x") and not saved.is_for("AC2", "http://x")
    assert saved.plan.changes == plan.changes and differences(saved.plan, plan) == []
    # The file shows the account masked; the full SID is only compared, as a digest.
    assert "AC1" not in plan.for_account("AC" + "1" * 32, "http://x").to_json().replace("AC…1111", "")
    assert plan.fingerprint.startswith("sha256:")
