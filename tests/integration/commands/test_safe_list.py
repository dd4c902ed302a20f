"""`safe_list:` against the emulator: plan and apply add and remove, idempotent, one GET per number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.integration.commands.support import api
from tests.integration.conftest import run_cli, writes
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

LISTED, WANTED, UNWANTED, NEVER = "+15005550006", "+15005550008", "+15005550007", "+15005550009"
CONFIG = f"""\
version: 1
safe_list:
  - "{LISTED}"
  - "{WANTED}"
  - {{phone_number: "{UNWANTED}", ensure: absent}}
  - {{phone_number: "{NEVER}", ensure: absent}}
"""


def write(workdir: Path, text: str = CONFIG) -> None:
    (workdir / "verifyctl.yaml").write_text(text, encoding="utf-8")


def listed(server: EmulatorServer, number: str) -> bool:
    path = f"/v2/SafeList/Numbers/{number}"
    sid, token = server.accounts[0]
    return requests.get(server.base_url + path, auth=(sid, token), timeout=5).status_code == 200


def safe_list_requests(server: EmulatorServer) -> list[tuple[str, str]]:
    return [(str(r["method"]), str(r["path"])) for r in server.requests() if "/SafeList/" in str(r["path"])]


def seed(server: EmulatorServer) -> None:
    for number in (LISTED, UNWANTED):
        api(server, "POST", "/v2/SafeList/Numbers", {"PhoneNumber": number})


def test_plan_shows_adds_and_removals_and_apply_makes_them(account: EmulatorServer, workdir: Path) -> None:
    seed(account)
    write(workdir)
    plan = run_cli("plan", "--no-color")
    assert plan.exit_code == 0, plan.stderr
    assert f"  + safe_list[{WANTED}]" in plan.stdout
    assert f"  - safe_list[{UNWANTED}]" in plan.stdout
    assert LISTED not in plan.stdout and NEVER not in plan.stdout
    assert "Plan: 1 to add, 0 to change, 1 to destroy, 0 to replace." in plan.stdout

    applied = run_cli("apply", "--auto-approve", "--allow-delete", "--no-color")
    assert applied.exit_code == 0, applied.stderr
    assert [listed(account, n) for n in (LISTED, WANTED, UNWANTED, NEVER)] == [True, True, False, False]


def test_a_second_plan_and_apply_change_nothing(account: EmulatorServer, workdir: Path) -> None:
    seed(account)
    write(workdir)
    assert run_cli("apply", "--auto-approve", "--allow-delete").exit_code == 0
    account.clear_requests()
    again = run_cli("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout
    assert run_cli("apply", "--auto-approve").exit_code == 0
    assert writes(account) == []


def test_plan_reads_exactly_one_get_per_declared_number_and_never_a_list(
    account: EmulatorServer, workdir: Path
) -> None:
    seed(account)
    write(workdir)
    account.clear_requests()
    assert run_cli("plan").exit_code == 0
    requested = safe_list_requests(account)
    expected = {("GET", f"/v2/SafeList/Numbers/{n}") for n in (LISTED, WANTED, UNWANTED, NEVER)}
    assert sorted(requested) == sorted(expected)


def test_apply_sends_one_get_per_number_and_one_write_per_change_at_parallelism_1(
    account: EmulatorServer, workdir: Path
) -> None:
    # At --parallelism 1 the one pool worker must never wait on the GETs it would have to run itself.
    seed(account)
    write(workdir)
    account.clear_requests()
    applied = run_cli("apply", "--auto-approve", "--allow-delete", "--parallelism", "1")
    assert applied.exit_code == 0, applied.stderr
    gets = sorted(f"/v2/SafeList/Numbers/{n}" for n in (LISTED, WANTED, UNWANTED, NEVER))
    assert sorted(path for method, path in safe_list_requests(account) if method == "GET") == gets
    assert sorted((m, p) for m, p in safe_list_requests(account) if m != "GET") == [
        ("DELETE", f"/v2/SafeList/Numbers/{UNWANTED}"),
        ("POST", "/v2/SafeList/Numbers"),
    ]


def test_removal_needs_allow_delete(account: EmulatorServer, workdir: Path) -> None:
    seed(account)
    write(workdir)
    account.clear_requests()
    refused = run_cli("apply", "--auto-approve")
    assert refused.exit_code == 3
    assert f"safe_list[{UNWANTED}]" in refused.stderr and "--allow-delete" in refused.stderr
    assert listed(account, UNWANTED) and not listed(account, WANTED)
    assert writes(account) == []


def test_target_limits_reads_and_writes_to_one_number(account: EmulatorServer, workdir: Path) -> None:
    seed(account)
    write(workdir)
    account.clear_requests()
    applied = run_cli("apply", "--auto-approve", "--target", f"safe_list[{WANTED}]")
    assert applied.exit_code == 0, applied.stderr
    assert safe_list_requests(account) == [
        ("GET", f"/v2/SafeList/Numbers/{WANTED}"),
        ("POST", "/v2/SafeList/Numbers"),
    ]
    assert listed(account, WANTED) and listed(account, UNWANTED)


def test_a_mistyped_target_is_a_usage_error(account: EmulatorServer, workdir: Path) -> None:
    write(workdir)
    failed = run_cli("plan", "--target", "safe_list[+15005550060]")
    assert failed.exit_code == 64
    assert "matches nothing" in failed.stderr and "did you mean safe_list[+1500555000" in failed.stderr
    assert writes(account) == []


def test_json_plan_lists_safe_list_changes(account: EmulatorServer, workdir: Path) -> None:
    seed(account)
    write(workdir)
    plan = json.loads(run_cli("plan", "--format", "json").stdout)
    assert [(c["kind"], c["action"], c["address"]) for c in plan["changes"]] == [
        ("safe_list", "delete", f"safe_list[{UNWANTED}]"),
        ("safe_list", "create", f"safe_list[{WANTED}]"),
    ]
    assert plan["changes"][1]["after"] == {"phone_number": WANTED}
    assert plan["guards"][0]["flag"] == "--allow-delete"


def test_a_saved_plan_applies_and_a_stale_one_is_refused(account: EmulatorServer, workdir: Path) -> None:
    write(workdir, f'version: 1\nsafe_list: ["{WANTED}"]\n')
    assert run_cli("plan", "--out", "plan.json").exit_code == 0
    # Someone adds it meanwhile: the saved create no longer finds the number missing.
    api(account, "POST", "/v2/SafeList/Numbers", {"PhoneNumber": WANTED})
    stale = run_cli("apply", "--plan", "plan.json")
    assert stale.exit_code == 3 and "stale" in stale.stderr
    api(account, "DELETE", f"/v2/SafeList/Numbers/{WANTED}")
    assert run_cli("apply", "--plan", "plan.json").exit_code == 0
    assert listed(account, WANTED)


def test_services_and_the_safe_list_plan_together(account: EmulatorServer, workdir: Path) -> None:
    write(workdir, f'version: 1\nservices:\n  - friendly_name: Login\nsafe_list: ["{WANTED}"]\n')
    assert run_cli("apply", "--auto-approve").exit_code == 0
    assert [s["friendly_name"] for s in api(account, "GET", "/v2/Services")["services"]] == ["Login"]
    assert listed(account, WANTED)
    assert run_cli("plan", "--detailed-exitcode").exit_code == 0


def test_a_bad_number_fails_before_any_request(account: EmulatorServer, workdir: Path) -> None:
    write(workdir, 'version: 1\nsafe_list: ["+1 500 555 0006"]\n')
    account.clear_requests()
    failed = run_cli("plan")
    assert failed.exit_code == 1
    assert "verifyctl.yaml:2:13: safe_list[0]" in failed.stderr and "E.164" in failed.stderr
    assert account.requests() == []
