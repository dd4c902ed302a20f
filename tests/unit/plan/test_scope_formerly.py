"""`formerly:` in service matching: a rename in place when exactly one live service has a former name."""

from __future__ import annotations

import pytest

from verifyctl.errors import PlanError
from verifyctl.plan.scope import Scope, match_services, rename_hints
from verifyctl.resources.kinds import SERVICE
from verifyctl.resources.records import DesiredRecord, LiveRecord


def wanted(name: str, *formerly: str) -> DesiredRecord:
    return DesiredRecord(SERVICE, name, {"friendly_name": name}, formerly=formerly)


def live(name: str, digit: str) -> LiveRecord:
    return LiveRecord(SERVICE, name, {"friendly_name": name}, "VA" + digit * 32)


def test_a_former_name_matches_when_the_new_name_is_not_live() -> None:
    old = live("Old", "1")
    assert match_services([wanted("New", "Old")], [old]) == [(wanted("New", "Old"), old)]


def test_the_new_name_wins_over_a_former_one() -> None:
    new, old = live("New", "1"), live("Old", "2")
    pairs = match_services([wanted("New", "Old")], [new, old])
    assert pairs == [(wanted("New", "Old"), new), (None, old)]


def test_a_former_name_claimed_by_its_own_service_is_not_taken() -> None:
    old = live("Old", "1")
    pairs = match_services([wanted("Old"), wanted("New", "Old")], [old])
    assert pairs == [(wanted("Old"), old), (wanted("New", "Old"), None)]


def test_several_services_with_former_names_are_an_error() -> None:
    with pytest.raises(PlanError, match="2 live services have a former name"):
        match_services([wanted("New", "Old", "Older")], [live("Old", "1"), live("Older", "2")])


def test_a_create_close_to_an_unmanaged_service_gets_a_hint() -> None:
    scope = Scope.of([wanted("Acme Login")], [live("Acme Logon", "1"), live("Globex", "2")])
    [hint] = rename_hints(scope.pairs)
    assert "'Acme Logon'" in hint and 'formerly: ["Acme Logon"]' in hint and "Globex" not in hint
