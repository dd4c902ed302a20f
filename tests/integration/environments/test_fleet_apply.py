"""Apply over a fleet of 30 subaccounts on one emulator: waves, a canary first, failures that stop
waves, per-member variables read back with each subaccount's own credentials, saved fleet plans."""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.conftest import Run, run_cli, writes
from verifyctl.cli import fleet_apply
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

PARENT, PARENT_TOKEN = "AC" + "7" * 32, "q" * 32
NAMES = [f"tenant-{i:02d}" for i in range(30)]
EMULATOR_OPTIONS = {"accounts": [(PARENT, PARENT_TOKEN, "Acme ISV")], "subaccounts": {PARENT: NAMES}}

ENVIRONMENTS = f"""\
version: 1
environments:
  tenants:
    subaccounts_of:
      account_sid: {PARENT}
      credentials: {{auth_token_env: PARENT_TOKEN}}
    select: {{friendly_name: "tenant-*"}}
    member_vars: tenants.vars
    vars: {{CODE_LENGTH: 6}}
"""
SERVICES = """\
version: 1
services:
  - friendly_name: "${MEMBER_NAME} Login"
    environments: [tenants]
    code_length: ${CODE_LENGTH}
    rate_limits: []
"""
# Two members have their own code length, one by friendly name and one by SID (set in the fixture).
MEMBER_VARS = "tenant-03: {CODE_LENGTH: 8}\n"
PLAN_ALL = fleet_apply.Runner.plan_all


@pytest.fixture
def fleet(emulator: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "VERIFYCTL_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PARENT_TOKEN", PARENT_TOKEN)
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    sid_of = {name: sid for sid, _, name in emulator.subaccounts(PARENT)}
    (workdir / "environments.yaml").write_text(ENVIRONMENTS, encoding="utf-8")
    (workdir / "verifyctl.yaml").write_text(SERVICES, encoding="utf-8")
    member_vars = MEMBER_VARS + f"{sid_of['tenant-17']}: {{CODE_LENGTH: 7}}\n"
    (workdir / "tenants.vars").write_text(member_vars, encoding="utf-8")
    yield workdir


def cli(*args: str) -> Run:
    """verifyctl ARGS over the fleet's files (the working directory)."""
    return run_cli(*args, ".")


def accounts_api(emulator: EmulatorServer, sid: str, status: str) -> None:
    """Change a subaccount's status as its parent would (the Console, or another tool)."""
    answer = requests.post(
        f"{emulator.base_url}/2010-04-01/Accounts/{sid}.json",
        data={"Status": status},
        auth=(PARENT, PARENT_TOKEN),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def services_seen_by_member(emulator: EmulatorServer) -> dict[str, list[tuple[str, int]]]:
    """Each subaccount's services as its OWN credentials read them: (friendly name, code length)."""
    seen = {}
    for sid, token, name in emulator.subaccounts(PARENT):
        answer = requests.get(f"{emulator.base_url}/v2/Services", auth=(sid, token), timeout=10)
        assert answer.status_code == 200, answer.text
        seen[name] = [(s["friendly_name"], s["code_length"]) for s in answer.json()["services"]]
    return seen


def table(stdout: str) -> dict[str, str]:
    """The member table's rows: member -> result."""
    rows = {}
    for line in stdout.splitlines():
        found = re.match(r"^(tenant-\d\d)\s+AC…[0-9a-f]{4}\s+(.*)$", line)
        if found:
            rows[found.group(1)] = found.group(2)
    return rows


def waves(stderr: str) -> list[int]:
    return [int(n) for n in re.findall(r"^fleet tenants: (?:canary|wave) \d+: (\d+) members?$", stderr, re.M)]


def test_apply_rolls_out_in_waves_with_each_members_variables_and_converges(
    emulator: EmulatorServer, fleet: Path
) -> None:
    done = cli("apply", "--env", "tenants", "--auto-approve", "--wave-size", "8")
    assert done.exit_code == 0, done.stderr
    # A canary, then waves that double up to --wave-size: 1 + 2 + 4 + 8 + 8 + 7 = 30.
    assert waves(done.stderr) == [1, 2, 4, 8, 8, 7]
    rows = table(done.stdout)
    assert rows == {name: "applied (1 change)" for name in NAMES}
    assert done.stdout.rstrip().endswith("Fleet tenants: 30 members: 30 applied.")
    # The canary is the fleet's first member, and it ended before any other began.
    first = re.search(r"^  \[1\] (\S+): applied", done.stderr, re.M)
    assert first is not None and first.group(1) == "tenant-00"
    expected = {name: [(f"{name} Login", 6)] for name in NAMES}
    expected["tenant-03"] = [("tenant-03 Login", 8)]
    expected["tenant-17"] = [("tenant-17 Login", 7)]
    assert services_seen_by_member(emulator) == expected
    # The parent's own account is not a member: nothing was created there.
    parent = requests.get(f"{emulator.base_url}/v2/Services", auth=(PARENT, PARENT_TOKEN), timeout=10)
    assert parent.json()["services"] == []

    planned = cli("plan", "--env", "tenants", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.stderr
    again = cli("apply", "--env", "tenants", "--auto-approve")
    assert again.exit_code == 0, again.stderr
    assert set(table(again.stdout).values()) == {"no changes"}
    assert "canary" not in again.stderr
    # No member's auth token (nor the parent's) is in anything apply or plan printed.
    printed = "".join(run.stdout + run.stderr for run in (done, planned, again))
    tokens = [token for _, token, _ in emulator.subaccounts(PARENT)] + [PARENT_TOKEN]
    assert [token for token in tokens if token in printed] == []


def test_a_failed_canary_stops_the_rollout_and_a_rerun_converges(
    emulator: EmulatorServer, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid_of = {name: sid for sid, _, name in emulator.subaccounts(PARENT)}
    suspend_after_planning(monkeypatch, emulator, sid_of["tenant-00"])
    done = cli("apply", "--env", "tenants", "--auto-approve")
    assert done.exit_code == 1, done.stderr
    rows = table(done.stdout)
    assert rows["tenant-00"].startswith("failed: ")
    assert all(rows[name] == "not started (1 member failed (--max-failed-members 0))" for name in NAMES[1:])
    assert waves(done.stderr) == [1]
    assert "Error: fleet tenants: 1 member failed, 29 not started (first: tenant-00)" in done.stderr
    assert services_seen_by_member_active(emulator, skip=sid_of["tenant-00"]) == {}

    accounts_api(emulator, sid_of["tenant-00"], "active")
    monkeypatch.setattr(fleet_apply.Runner, "plan_all", PLAN_ALL)
    rerun = cli("apply", "--env", "tenants", "--auto-approve")
    assert rerun.exit_code == 0, rerun.stderr
    assert set(table(rerun.stdout).values()) == {"applied (1 change)"}


def test_max_failed_members_lets_waves_go_on_past_failures_until_more_fail(
    emulator: EmulatorServer, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid_of = {name: sid for sid, _, name in emulator.subaccounts(PARENT)}
    # tenant-03 is in wave 3 (members 3 to 6), tenant-09 in wave 4 (7 to 14).
    suspend_after_planning(monkeypatch, emulator, sid_of["tenant-03"], sid_of["tenant-09"])
    done = cli("apply", "--env", "tenants", "--auto-approve", "--max-failed-members", "1")
    assert done.exit_code == 1, done.stderr
    rows = table(done.stdout)
    assert rows["tenant-03"].startswith("failed: ") and rows["tenant-09"].startswith("failed: ")
    assert waves(done.stderr) == [1, 2, 4, 8]
    applied = [name for name in NAMES[:15] if name not in ("tenant-03", "tenant-09")]
    assert all(rows[name] == "applied (1 change)" for name in applied)
    assert {rows[name] for name in NAMES[15:]} == {"not started (2 members failed (--max-failed-members 1))"}


def suspend_after_planning(monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer, *sids: str) -> None:
    """Suspend these subaccounts once every member is planned and before the waves start (as the
    Console would mid-run): their writes are refused (403), so their apply fails."""

    def plan_then_suspend(self: Any, saved: Any) -> Any:
        plans = PLAN_ALL(self, saved)
        for sid in sids:
            accounts_api(emulator, sid, "suspended")
        return plans

    monkeypatch.setattr(fleet_apply.Runner, "plan_all", plan_then_suspend)


def services_seen_by_member_active(emulator: EmulatorServer, skip: str) -> dict[str, Any]:
    """The services of every subaccount but `skip` (suspended: its credentials are refused)."""
    seen = {}
    for sid, token, name in emulator.subaccounts(PARENT):
        if sid == skip:
            continue
        answer = requests.get(f"{emulator.base_url}/v2/Services", auth=(sid, token), timeout=10)
        if answer.json()["services"]:
            seen[name] = answer.json()["services"]
    return seen


def test_closed_subaccounts_are_listed_as_skipped_and_never_written(
    emulator: EmulatorServer, fleet: Path
) -> None:
    sid_of = {name: sid for sid, _, name in emulator.subaccounts(PARENT)}
    accounts_api(emulator, sid_of["tenant-29"], "closed")
    emulator.clear_requests()
    done = cli("apply", "--env", "tenants", "--auto-approve", "--wave-size", "32")
    assert done.exit_code == 0, done.stderr
    assert table(done.stdout)["tenant-29"] == "skipped (closed)"
    assert "29 applied, 1 skipped" in done.stdout
    assert [r for r in emulator.requests() if r["account_sid"] == sid_of["tenant-29"]] == []


def test_saved_fleet_plan_is_applied_and_refused_for_another_member_set(
    emulator: EmulatorServer, fleet: Path
) -> None:
    saved = cli("plan", "--env", "tenants", "--shard", "1/3", "--out", "shard1.json")
    assert saved.exit_code == 0, saved.stderr
    assert "apply it with: verifyctl apply --plan shard1.json --env tenants --shard 1/3" in saved.stderr
    data = json.loads((fleet / "shard1.json").read_text(encoding="utf-8"))
    assert data["fleet"] == "tenants" and data["shard"] == "1/3"
    in_shard = [member["name"] for member in data["members"]]
    assert 0 < len(in_shard) < 30 and len(data["member_set"]) == len(in_shard)

    # Another shard, or the whole fleet, is another member set: refused before any write.
    emulator.clear_requests()
    for other in (["--shard", "2/3"], []):
        refused = cli("apply", "--plan", "shard1.json", "--env", "tenants", *other)
        assert refused.exit_code == 3, refused.stderr
        assert "the saved plan was made for --shard 1/3" in refused.stderr
    assert writes(emulator) == []

    done = cli("apply", "--plan", "shard1.json", "--env", "tenants", "--shard", "1/3")
    assert done.exit_code == 0, done.stderr
    assert sorted(
        name for name, result in table(done.stdout).items() if result.startswith("applied")
    ) == sorted(in_shard)
    # Applied once, the same saved plan is stale for every member.
    emulator.clear_requests()
    stale = cli("apply", "--plan", "shard1.json", "--env", "tenants", "--shard", "1/3")
    assert stale.exit_code == 3 and "is refused for" in stale.stderr
    assert writes(emulator) == []


def test_a_member_added_after_the_plan_makes_the_saved_plan_refused(
    emulator: EmulatorServer, fleet: Path
) -> None:
    saved = cli("plan", "--env", "tenants", "--out", "fleet.json")
    assert saved.exit_code == 0, saved.stderr
    added = requests.post(
        f"{emulator.base_url}/2010-04-01/Accounts.json",
        data={"FriendlyName": "tenant-30"},
        auth=(PARENT, PARENT_TOKEN),
        timeout=10,
    )
    assert added.status_code == 201, added.text
    emulator.clear_requests()
    refused = cli("apply", "--plan", "fleet.json", "--env", "tenants")
    assert refused.exit_code == 3, refused.stderr
    assert (
        "the saved plan is for another set of members of fleet tenants: 1 new (tenant-30)" in refused.stderr
    )
    assert writes(emulator) == []


def test_a_member_whose_plan_the_policy_refuses_fails_with_exit_3_and_nothing_of_it_is_written(
    emulator: EmulatorServer, fleet: Path
) -> None:
    # A code of 5 digits is below the policy's minimum: that member's plan is refused, the others'
    # are not, and --max-failed-members 1 lets the waves go on past it.
    (fleet / "tenants.vars").write_text("tenant-05: {CODE_LENGTH: 5}\n", encoding="utf-8")
    done = cli("apply", "--env", "tenants", "--auto-approve", "--max-failed-members", "1")
    assert done.exit_code == 3, done.stderr
    rows = table(done.stdout)
    assert rows["tenant-05"].startswith("failed: verifyctl.yaml:5:5: error[code-length]: code_length is 5")
    assert {rows[name] for name in NAMES if name != "tenant-05"} == {"applied (1 change)"}
    assert services_seen_by_member(emulator)["tenant-05"] == []
    # Without --max-failed-members, the refused member stops every wave before the canary.
    blocked = cli("apply", "--env", "tenants", "--auto-approve")
    assert blocked.exit_code == 3 and waves(blocked.stderr) == []


def test_one_member_is_planned_saved_and_applied_as_one_environment(
    emulator: EmulatorServer, fleet: Path
) -> None:
    saved = cli("plan", "--env", "tenants/tenant-04", "--out", "one.json")
    assert saved.exit_code == 0, saved.stderr
    assert "apply it with: verifyctl apply --plan one.json --env tenants/tenant-04" in saved.stderr
    done = cli("apply", "--plan", "one.json")
    assert done.exit_code == 0, done.stderr
    seen = services_seen_by_member(emulator)
    assert seen["tenant-04"] == [("tenant-04 Login", 6)]
    assert [name for name, services in seen.items() if services] == ["tenant-04"]
    # A fleet's flags need a fleet; a fleet's saved plan needs its fleet.
    wave = cli("apply", "--env", "tenants/tenant-04", "--auto-approve", "--wave-size", "4")
    assert wave.exit_code == 64 and "roll out the members of a fleet" in wave.stderr
    whole = cli("plan", "--env", "tenants", "--out", "fleet.json")
    assert whole.exit_code == 0, whole.stderr
    emulator.clear_requests()
    other = cli("apply", "--plan", "fleet.json", "--env", "tenants/tenant-05")
    assert other.exit_code == 3 and "is of fleet tenants" in other.stderr
    one = cli("apply", "--plan", "one.json", "--env", "tenants")
    assert one.exit_code == 3 and "the saved plan is for environment tenants/tenant-04" in one.stderr
    assert writes(emulator) == []


def test_apply_that_would_cross_the_family_service_cap_writes_nothing(
    emulator: EmulatorServer, fleet: Path
) -> None:
    capped = ENVIRONMENTS.replace(
        "      credentials: {auth_token_env: PARENT_TOKEN}\n",
        "      credentials: {auth_token_env: PARENT_TOKEN}\n      max_services: 20\n",
    )
    (fleet / "environments.yaml").write_text(capped, encoding="utf-8")
    emulator.clear_requests()
    done = cli("apply", "--env", "tenants", "--auto-approve")
    assert done.exit_code == 1, done.stderr
    assert "past their cap of 20" in done.stderr
    assert writes(emulator) == []


def test_an_interrupt_starts_no_new_member_and_exits_130(
    emulator: EmulatorServer, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fleet_apply.Runner.run_wave
    waves_run: list[int] = []

    def interrupted_before_wave_2(self: Any, members: Any, apply: Any) -> Any:
        waves_run.append(len(members))
        if len(waves_run) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C as the second wave starts
        return real(self, members, apply)

    monkeypatch.setattr(fleet_apply.Runner, "run_wave", interrupted_before_wave_2)
    done = cli("apply", "--env", "tenants", "--auto-approve")
    assert done.exit_code == 130, done.stderr
    rows = table(done.stdout)
    assert rows["tenant-00"] == "applied (1 change)"
    assert {rows[name] for name in NAMES[1:]} == {"not started (interrupted)"}
    assert waves_run == [1, 2]  # no wave after the interrupt
    assert "run apply again to converge" in done.stderr


def test_a_fleet_or_shard_without_members_plans_saves_and_applies_nothing(
    emulator: EmulatorServer, fleet: Path
) -> None:
    (fleet / "environments.yaml").write_text(
        ENVIRONMENTS.replace('"tenant-*"', '"nobody-*"'), encoding="utf-8"
    )
    # member_vars may name only subaccounts the fleet selects: with none selected, it names none.
    (fleet / "tenants.vars").write_text("{}\n", encoding="utf-8")
    saved = cli("plan", "--env", "tenants", "--out", "empty.json")
    assert saved.exit_code == 0, saved.stderr
    done = cli("apply", "--plan", "empty.json", "--env", "tenants")
    assert done.exit_code == 0, done.stderr
    assert "Fleet tenants: 0 members: none." in done.stdout
    assert writes(emulator) == []


def test_without_a_terminal_or_auto_approve_nothing_is_applied(emulator: EmulatorServer, fleet: Path) -> None:
    done = cli("apply", "--env", "tenants")
    assert done.exit_code == 3, done.stderr
    assert "apply needs --auto-approve when it does not run on a terminal" in done.stderr
    assert writes(emulator) == []


@pytest.mark.parametrize(
    "emulator",
    [{**EMULATOR_OPTIONS, "normalise_names": True}],
    indirect=True,
)
def test_a_member_whose_write_is_stored_differently_fails_with_the_value_to_write(
    emulator: EmulatorServer, fleet: Path
) -> None:
    (fleet / "verifyctl.yaml").write_text(
        SERVICES.replace('"${MEMBER_NAME} Login"', '"${MEMBER_NAME}  Login"')
    )
    applied = cli("apply", "--env", "tenants", "--auto-approve", "--no-color")

    assert applied.exit_code == 1, applied.stdout + applied.stderr
    shown = applied.stdout + applied.stderr
    # The canary fails so: no later wave starts (--max-failed-members 0).
    assert "stored differently" in shown
    assert re.search(r'write "tenant-\d\d Login" in the file', shown), shown
    assert len([name for name, services in services_seen_by_member(emulator).items() if services]) == 1


def test_a_report_is_one_accounts_and_is_refused_over_a_fleet(emulator: EmulatorServer, fleet: Path) -> None:
    refused = cli("apply", "--env", "tenants", "--auto-approve", "--report", "report.json")

    assert refused.exit_code == 64, refused.stderr
    assert "--report records the apply of one account; over a fleet, apply each member with" in refused.stderr
    assert writes(emulator) == []
