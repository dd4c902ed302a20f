"""The Safe List in the pure diff: declared numbers against their GETs, `ensure: absent`, targets."""

from __future__ import annotations

import pytest

from verifyctl.errors import UsageError
from verifyctl.plan.diff import diff
from verifyctl.plan.model import Action, Plan
from verifyctl.plan.saved import saved_plan_of
from verifyctl.plan.scope import Scope
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import SAFE_LIST, SERVICE
from verifyctl.resources.records import DesiredRecord, LiveRecord

LISTED, MISSING, UNWANTED, GONE = "+15005550006", "+15005550008", "+15005550007", "+15005550009"


def number(key: str, *, absent: bool = False) -> DesiredRecord:
    return DesiredRecord(SAFE_LIST, key, {"phone_number": key}, absent=absent)


def on_list(key: str) -> LiveRecord:
    return LiveRecord(SAFE_LIST, key, {"phone_number": key}, id=key)


DECLARED = [number(LISTED), number(MISSING), number(UNWANTED, absent=True), number(GONE, absent=True)]
LIVE = {LISTED: on_list(LISTED), MISSING: None, UNWANTED: on_list(UNWANTED), GONE: None}


def plan(targets: list[Address] | None = None, services: list[DesiredRecord] | None = None) -> Plan:
    scope = Scope.of(services or [], [], targets=targets or [], safe_list=DECLARED)
    return diff(scope.with_safe_list({n: LIVE[n] for n in scope.safe_list_to_read}))


def actions(made: Plan) -> list[tuple[str, str]]:
    return [(change.action.value, str(change.address)) for change in made.changes]


def test_missing_numbers_are_added_and_listed_absent_ones_removed_in_address_order() -> None:
    made = plan()
    assert actions(made) == [
        ("delete", f"safe_list[{UNWANTED}]"),
        ("create", f"safe_list[{MISSING}]"),
    ]
    delete, create = made.changes
    assert (create.kind, create.after, create.changed_fields) == (
        SAFE_LIST,
        {"phone_number": MISSING},
        ("phone_number",),
    )
    assert (delete.id, delete.before, delete.parent) == (UNWANTED, {"phone_number": UNWANTED}, None)
    assert made.needed_flags()[0][0] == "--allow-delete"
    # What the GETs found counts as read: the threshold and the fingerprint see it.
    assert made.covered == 2
    assert made.ids == {Address.of_safe_list(LISTED): LISTED, Address.of_safe_list(UNWANTED): UNWANTED}


def test_nothing_to_do_when_the_list_matches() -> None:
    scope = Scope.of([], [], safe_list=[number(LISTED), number(GONE, absent=True)])
    made = diff(scope.with_safe_list({LISTED: on_list(LISTED), GONE: None}))
    assert made.changes == ()


def test_safe_list_changes_come_after_the_services() -> None:
    service = DesiredRecord(SERVICE, "Login", {"friendly_name": "Login"})
    assert actions(plan(services=[service]))[0] == ("create", "service[Login]")


def test_a_target_limits_the_reads_and_the_changes_to_that_number() -> None:
    target = Address.parse(f"safe_list[{UNWANTED}]")
    scope = Scope.of(
        [DesiredRecord(SERVICE, "Login", {"friendly_name": "Login"})],
        [],
        targets=[target],
        safe_list=DECLARED,
    )
    assert scope.safe_list_to_read == [UNWANTED]
    assert not scope.pairs[0].in_scope
    assert actions(plan([target])) == [("delete", f"safe_list[{UNWANTED}]")]


def test_a_service_target_reads_no_number() -> None:
    scope = Scope.of([], [], targets=[Address.of_service("Login")], safe_list=DECLARED)
    assert scope.safe_list_to_read == []


def test_a_mistyped_target_is_a_usage_error_with_the_closest_numbers() -> None:
    with pytest.raises(UsageError, match=r"'safe_list\[\+15005550060\]' matches nothing.*did you mean"):
        plan([Address.parse("safe_list[+15005550060]")])


def test_the_address_round_trips_and_takes_no_children() -> None:
    address = Address.parse("safe_list[+15005550006]")
    assert (str(address), address.kind, address.key, address.parent) == (
        "safe_list[+15005550006]",
        SAFE_LIST,
        LISTED,
        None,
    )
    with pytest.raises(UsageError, match="nothing: safe_list has no children"):
        Address.parse("safe_list[+15005550006]/webhook[audit]")
    with pytest.raises(UsageError, match="expected safe_list or service"):
        Address.parse("safelist[+15005550006]")


def test_a_saved_plan_with_safe_list_changes_reads_back_equal() -> None:
    made = plan()
    saved = saved_plan_of(made.to_dict()).plan
    assert saved.changes == made.changes
    assert [change["kind"] for change in made.to_dict()["changes"]] == ["safe_list", "safe_list"]
    assert made.changes[0].action is Action.DELETE
