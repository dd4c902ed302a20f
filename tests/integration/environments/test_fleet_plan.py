"""A fleet of 30 subaccounts on one emulator: plan lists members, picks one or a shard, output, skips, cap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer
from verifyctl.engine.fleet_basics import Shard

pytestmark = pytest.mark.usefixtures("instant_waits")

PARENT, PARENT_TOKEN = "AC" + "9" * 32, "q" * 32
TENANTS = [f"tenant-{n:02d}" for n in range(1, 31)]
EMULATOR_OPTIONS = {
    "accounts": [(PARENT, PARENT_TOKEN, "Acme Platform")],
    "subaccounts": {PARENT: [*TENANTS, "internal-tools"]},
}

ENVIRONMENTS = f"""\
version: 1
environments:
  tenants:
    subaccounts_of:
      account_sid: {PARENT}
      credentials: {{auth_token_env: PARENT_TOKEN}}
    select: {{friendly_name: "tenant-*"}}
    member_vars: tenants.vars
    vars: {{SUFFIX: Login, CODE_LENGTH: 6}}
"""
SERVICES = """\
version: 1
services:
  - friendly_name: "${MEMBER_NAME} ${SUFFIX}"
    code_length: ${CODE_LENGTH}
    environments: [tenants]
"""
MEMBER_VARS = "tenant-07: {CODE_LENGTH: 8}\n"


@pytest.fixture
def repo(emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name in ("VERIFYCTL_LOCAL", "VERIFYCTL_ENV", "VERIFYCTL_SHARD", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARENT_TOKEN", PARENT_TOKEN)
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environments.yaml").write_text(ENVIRONMENTS, encoding="utf-8")
    (tmp_path / "services.yaml").write_text(SERVICES, encoding="utf-8")
    (tmp_path / "tenants.vars").write_text(MEMBER_VARS, encoding="utf-8")
    return tmp_path


def subaccounts(emulator: EmulatorServer) -> dict[str, dict[str, str]]:
    """Friendly name -> the subaccount as the parent lists it (sid, auth_token, status)."""
    reply = requests.get(
        f"{emulator.base_url}/2010-04-01/Accounts.json", auth=(PARENT, PARENT_TOKEN), timeout=5
    )
    reply.raise_for_status()
    return {a["friendly_name"]: a for a in reply.json()["accounts"] if a["sid"] != PARENT}


def member_writes(emulator: EmulatorServer) -> list[dict[str, object]]:
    return [r for r in emulator.requests() if r["method"] in ("POST", "DELETE") and "/v2/" in str(r["path"])]


def plan_json(*args: str) -> dict[str, object]:
    run = run_cli("plan", ".", "--format", "json", *args)
    assert run.exit_code == 0, run.stderr
    found: dict[str, object] = json.loads(run.stdout)
    return found


def test_plan_lists_every_member_with_its_own_variables(emulator: EmulatorServer, repo: Path) -> None:
    run = run_cli("plan", ".", "--env", "tenants", "--detailed-exitcode", "--no-color", "--stats")
    assert run.exit_code == 2, run.stderr
    # One list of services per member (their accounts are empty), tallied across the fleet.
    assert "Requests: 30 requests (GET 30), 0 retries" in run.stderr
    table = run.stdout.split("\n\n")[1].splitlines()
    assert table[0].split() == ["MEMBER", "ACCOUNT", "ADD", "CHANGE", "DESTROY", "STATUS"]
    assert [row.split()[0] for row in table[1:]] == TENANTS  # internal-tools is no member
    assert all(row.split()[2:] == ["1", "0", "0", "changes"] for row in table[1:])
    assert "+ service[tenant-07 Login]" in run.stdout
    assert "Fleet tenants: 30 members, 30 with changes, 0 without, 0 failed, 0 skipped." in run.stdout
    data = plan_json("--env", "tenants")
    members = {m["name"]: m for m in data["members"]}  # type: ignore[union-attr, index]
    assert data["fleet"] == "tenants" and sorted(members) == TENANTS
    lengths = {
        name: m["plan"]["changes"][0]["after"]["code_length"]  # type: ignore[index]
        for name, m in members.items()
    }
    assert lengths.pop("tenant-07") == 8 and set(lengths.values()) == {6}
    assert member_writes(emulator) == []


def test_one_member_by_name_or_sid_and_an_unknown_one(emulator: EmulatorServer, repo: Path) -> None:
    sid = subaccounts(emulator)["tenant-12"]["sid"]
    for chosen in ("tenants/tenant-12", f"tenants/{sid}"):
        plan = plan_json("--env", chosen)
        assert plan["environment"] == "tenants/tenant-12"
        assert plan["account"]["friendly_name"] == "tenant-12"  # type: ignore[index]
        assert [c["address"] for c in plan["changes"]] == ["service[tenant-12 Login]"]  # type: ignore[union-attr]
    unknown = run_cli("plan", ".", "--env", "tenants/tenant-99")
    assert unknown.exit_code == 64
    assert "no member of fleet tenants has that friendly name or SID" in unknown.stderr
    assert "`verifyctl plan --env tenants` lists every member" in unknown.stderr


def test_shards_pick_what_they_say_and_cover_every_member_once(emulator: EmulatorServer, repo: Path) -> None:
    sids = {name: a["sid"] for name, a in subaccounts(emulator).items()}
    shares = []
    for index in (1, 2, 3):
        data = plan_json("--env", "tenants", "--shard", f"{index}/3")
        assert data["shard"] == f"{index}/3"
        shares.append({m["name"] for m in data["members"]})  # type: ignore[union-attr, index]
    assert shares[1] == {n for n in TENANTS if Shard(2, 3).holds(sids[n])}
    assert sorted(n for share in shares for n in share) == TENANTS  # each once
    alone = run_cli("plan", ".", "--env", "tenants/tenant-01", "--shard", "4/3")
    assert alone.exit_code == 64 and "K must be between 1 and N" in alone.stderr


def test_a_closed_subaccount_is_skipped_and_listed(emulator: EmulatorServer, repo: Path) -> None:
    sid = subaccounts(emulator)["tenant-05"]["sid"]
    closed = requests.post(
        f"{emulator.base_url}/2010-04-01/Accounts/{sid}.json",
        data={"Status": "closed"},
        auth=(PARENT, PARENT_TOKEN),
        timeout=5,
    )
    closed.raise_for_status()
    run = run_cli("plan", ".", "--env", "tenants", "--no-color")
    assert run.exit_code == 0, run.stderr
    row = next(line for line in run.stdout.splitlines() if line.startswith("tenant-05"))
    assert row.split()[1:] == [f"AC…{sid[-4:]}", "-", "-", "-", "skipped:", "closed"]
    assert "29 members, 29 with changes, 0 without, 0 failed, 1 skipped." in run.stdout
    data = plan_json("--env", "tenants")
    assert data["skipped"] == [{"name": "tenant-05", "account": f"AC…{sid[-4:]}", "reason": "closed"}]
    named = run_cli("plan", ".", "--env", "tenants/tenant-05")
    assert named.exit_code == 64 and "is closed; the fleet skips it" in named.stderr


def test_output_maps_every_member(emulator: EmulatorServer, repo: Path) -> None:
    made = {}
    for name, account in subaccounts(emulator).items():
        if name.startswith("tenant-"):
            reply = requests.post(
                f"{emulator.base_url}/v2/Services",
                data={"FriendlyName": f"{name} Login", "CodeLength": "8" if name == "tenant-07" else "6"},
                auth=(account["sid"], account["auth_token"]),
                timeout=5,
            )
            reply.raise_for_status()
            made[name] = {f"{name} Login": reply.json()["sid"]}
    run = run_cli("output", ".", "--env", "tenants", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == made
    again = run_cli("plan", ".", "--env", "tenants", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout + again.stderr


def test_the_family_service_cap_fails_the_plan_before_a_write(emulator: EmulatorServer, repo: Path) -> None:
    parent_service = requests.post(
        f"{emulator.base_url}/v2/Services", data={"FriendlyName": "Platform"}, auth=(PARENT, PARENT_TOKEN)
    )
    parent_service.raise_for_status()
    capped = ENVIRONMENTS.replace(
        "credentials: {auth_token_env: PARENT_TOKEN}",
        "credentials: {auth_token_env: PARENT_TOKEN}\n      max_services: 30",
    )
    (repo / "environments.yaml").write_text(capped, encoding="utf-8")
    emulator.clear_requests()
    run = run_cli("plan", ".", "--env", "tenants")
    assert run.exit_code == 1, run.stderr
    assert (
        "Error: environment tenants: the plan would take the services of parent AC…9999 and its subaccounts"
        " to 31, past their cap of 30" in run.stderr
    )
    assert "1 at the parent, 0 in the 30 members planned, 30 to create; nothing was written" in run.stderr
    assert member_writes(emulator) == []
    fits = run_cli("plan", ".", "--env", "tenants", "--shard", "1/3")
    assert fits.exit_code == 0, fits.stderr  # a share of the members stays under the cap


def test_a_failing_member_is_listed_with_its_error_after_every_members_result(
    emulator: EmulatorServer, repo: Path
) -> None:
    (repo / "tenants.vars").write_text("tenant-07: {CODE_LENGTH: 99}\n", encoding="utf-8")
    run = run_cli("plan", ".", "--env", "tenants", "--detailed-exitcode", "--no-color")
    assert run.exit_code == 1, run.stderr  # the error's code, not 2, though 29 members have changes
    row = next(line for line in run.stdout.splitlines() if line.startswith("tenant-07"))
    assert row.split()[2:] == ["-", "-", "-", "error"]
    assert run.stdout.count("+ service[tenant-") == 29
    assert "=== member tenant-07 (AC…" in run.stdout and "code_length: must be between 4 and 10" in run.stdout
    assert "Error: member tenant-07: " in run.stderr
    data = json.loads(run_cli("plan", ".", "--env", "tenants", "--format", "json").stdout)
    assert [e["name"] for e in data["errors"]] == ["tenant-07"] and len(data["members"]) == 29


def test_env_all_plans_each_member_beside_the_other_environments(
    emulator: EmulatorServer, repo: Path
) -> None:
    # Its own account, without the fleet's variables: the fleet's services, MEMBER_NAME and all, are not its.
    other = "  staging:\n    account_sid: " + PARENT + "\n    credentials: {auth_token_env: PARENT_TOKEN}\n"
    other += "    vars: {SUFFIX: x, CODE_LENGTH: 6}\n"
    (repo / "environments.yaml").write_text(ENVIRONMENTS + other, encoding="utf-8")
    sid = subaccounts(emulator)["tenant-03"]["sid"]
    requests.post(
        f"{emulator.base_url}/2010-04-01/Accounts/{sid}.json",
        data={"Status": "suspended"},
        auth=(PARENT, PARENT_TOKEN),
        timeout=5,
    ).raise_for_status()
    run = run_cli("plan", ".", "--env", "all", "--no-color")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.count("=== environment tenants/tenant-") == 29
    assert "=== environment staging ===" in run.stdout
    assert "tenants/tenant-03: skipped: suspended" in run.stderr
    lines = run_cli("output", ".", "--env", "tenants", "--format", "env")
    # Nothing exists yet: a group heading per member, each service left out and said on stderr.
    assert lines.exit_code == 0 and lines.stdout.splitlines() == [
        f"# member {n}" for n in TENANTS if n != "tenant-03"
    ]
    assert "service[tenant-01 Login] does not exist in environment tenants/tenant-01 yet" in lines.stderr


def test_commands_of_one_account_refuse_a_whole_fleet(emulator: EmulatorServer, repo: Path) -> None:
    for words in (
        ["show", ".", "--address", "service[x]"],
        ["import", "--config", "."],
        ["verify", "send", "x", ".", "--to", "+15005550006"],
    ):
        refused = run_cli(*words, "--env", "tenants")
        assert refused.exit_code == 64, refused.stderr
        assert "name a member with --env tenants/MEMBER" in refused.stderr
    assert member_writes(emulator) == []
    shown = run_cli("show", ".", "--env", "tenants/tenant-02")
    assert shown.exit_code == 0 and "tenant-02 Login" in shown.stdout, shown.stderr
    # show over a whole fleet is every member's, by member (as --env all is by environment).
    every = json.loads(run_cli("show", ".", "--env", "tenants", "--format", "json").stdout)
    assert sorted(every["environments"]) == [f"tenants/{n}" for n in TENANTS]
