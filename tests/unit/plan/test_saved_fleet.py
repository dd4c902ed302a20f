"""A saved fleet plan: one plan per member, read back key by key; a mangled file names what is wrong."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from verifyctl.plan.model import Action, Change, Plan, sid_digest
from verifyctl.plan.saved import PlanFileError, SavedPlan, differences, saved_plan_of
from verifyctl.plan.saved_file import read_saved
from verifyctl.plan.saved_fleet import SavedFleet, fleet_plan_document, saved_fleet_of
from verifyctl.resources.addresses import Address


def member_plan(digit: str, name: str) -> Plan:
    # A member's plan is made for environment FLEET/MEMBER; a member's name is any friendly name.
    service = Address.parse(f"service[{name} Login]")
    after = {"friendly_name": f"{name} Login", "code_length": 6}
    return Plan(
        changes=(Change(service, Action.CREATE, None, after, tuple(after)),),
        configuration="sha256:" + "0" * 64,
        files=("verifyctl.yaml",),
        environment=f"tenants/{name}",
    ).for_account("AC" + digit * 32, "local")


MEMBERS = [("tenant-a", member_plan("1", "tenant-a")), ("Tenant B (EU)", member_plan("2", "Tenant B (EU)"))]


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(fleet_plan_document("tenants", "2/3", MEMBERS))
    return loaded


def test_a_fleet_plan_reads_back_with_every_member_and_its_plan() -> None:
    saved = saved_fleet_of(document())
    assert (saved.fleet, saved.shard) == ("tenants", "2/3")
    assert [m.name for m in saved.members] == ["tenant-a", "Tenant B (EU)"]
    assert saved.member_set == {sid_digest("AC" + "1" * 32), sid_digest("AC" + "2" * 32)}
    found = saved.member("AC" + "2" * 32)
    assert found is not None and found.name == "Tenant B (EU)"
    assert found.saved.plan.environment == "tenants/Tenant B (EU)"
    assert differences(found.saved.plan, MEMBERS[1][1]) == []
    assert saved.member("AC" + "3" * 32) is None


def test_the_file_says_whether_it_is_a_fleet_plan(tmp_path: Path) -> None:
    fleet_file = tmp_path / "fleet.json"
    fleet_file.write_text(fleet_plan_document("tenants", "", MEMBERS), encoding="utf-8")
    one_file = tmp_path / "one.json"
    one_file.write_text(replace(MEMBERS[0][1], environment="staging").to_json(), encoding="utf-8")
    fleet = read_saved(str(fleet_file))
    assert isinstance(fleet, SavedFleet) and fleet.shard == "" and fleet.file == str(fleet_file)
    one = read_saved(str(one_file))
    assert isinstance(one, SavedPlan) and one.file == str(one_file)


def mangle(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(document())
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("format_version",), 1, "format_version is 1"),
        (("fleet",), "../etc", "fleet is not an environment name"),
        (("fleet",), None, "fleet is not an environment name"),
        (("shard",), "0/3", "shard is not K/N"),
        (("shard",), 5, "shard is not K/N"),
        (("members",), {}, "members must be a JSON array"),
        (("members", 0), [], "members[0] must be a JSON object"),
        (("members", 1, "name"), "", "members[1].name is not a member name"),
        (("members", 1, "name"), "x" * 300, "members[1].name is not a member name"),
        (("members", 0, "plan", "changes"), {}, "members[0].plan: changes must be a JSON array"),
        (("members", 0, "plan", "account", "sid_sha256"), "x", "is not a sha256: digest"),
        (("member_set",), ["sha256:" + "f" * 64], "member_set does not match the members' accounts"),
        (("member_set",), "all", "member_set must be a JSON array"),
        (("members", 1, "plan", "environment"), "tenants/other", "members[1].plan.environment is"),
        (("members", 1, "plan", "environment"), 7, "members[1].plan.environment is"),
    ],
)
def test_a_mangled_fleet_plan_names_what_is_wrong(path: tuple[Any, ...], value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        saved_fleet_of(mangle(path, value))


def test_a_member_listed_twice_is_refused() -> None:
    data = document()
    data["members"].append(copy.deepcopy(data["members"][0]))
    with pytest.raises(ValueError, match="appears twice"):
        saved_fleet_of(data)


def test_a_file_that_is_not_json_is_a_plan_file_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"fleet": ', encoding="utf-8")
    with pytest.raises(PlanFileError, match="is not a verifyctl plan file"):
        read_saved(str(bad))


@pytest.mark.parametrize("environment", ["tenants/Acme Corp (EU)", "tenants/AC" + "1" * 32])
def test_one_members_saved_plan_names_its_environment_fleet_slash_member(environment: str) -> None:
    data = json.loads(replace(MEMBERS[0][1], environment=environment).to_json())
    assert saved_plan_of(data).plan.environment == environment


@pytest.mark.parametrize("environment", ["tenants/", "tenants/a\nb", "Tenants/x", "../x/y", "t/" + "x" * 300])
def test_a_members_environment_that_is_not_fleet_slash_member_is_refused(environment: str) -> None:
    data = json.loads(MEMBERS[0][1].to_json())
    data["environment"] = environment
    with pytest.raises(ValueError, match="environment is not an environment name"):
        saved_plan_of(data)
