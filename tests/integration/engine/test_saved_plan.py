"""`apply --plan`: the saved plan is made again from the files and the live account, and applied only
when the two agree change for change; whatever the file holds, it cannot add to what the files ask."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tests.integration.conftest import run_cli, writes
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

RATE_LIMITS = [{"unique_name": "end_user_phone", "buckets": [{"interval": 60, "max": 5}]}]


def write(path: str, services: list[dict[str, Any]], **extra: Any) -> str:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    document = {"version": 1, "services": services, **extra}
    Path(path).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def service(name: str, code_length: int = 7, **extra: Any) -> dict[str, Any]:
    return {"friendly_name": name, "code_length": code_length, "rate_limits": RATE_LIMITS, **extra}


def api(server: EmulatorServer, path: str) -> Any:
    return requests.get(server.base_url + path, auth=server.accounts[0], timeout=5).json()


def saved(path: str = "p.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def save(data: Any, path: str = "p.json") -> None:
    Path(path).write_text(json.dumps(data), encoding="utf-8")


def test_a_hand_edited_value_is_refused_with_nothing_written(account: EmulatorServer, workdir: Path) -> None:
    path = write("verifyctl.yaml", [service("Acme Login")])
    assert run_cli("plan", path, "--out", "p.json").exit_code == 0
    data = saved()
    data["changes"][0]["after"]["code_length"] = 4  # the policy refuses 4; the files ask for 7
    save(data)
    refused = run_cli("apply", "--plan", "p.json", path)
    assert refused.exit_code == 3, refused.stderr
    assert "service[Acme Login] (after.code_length)" in refused.stderr
    assert "nothing was applied" in refused.stderr
    assert writes(account) == []


def test_a_change_no_file_asks_for_cannot_be_smuggled_in(account: EmulatorServer, workdir: Path) -> None:
    path = write("verifyctl.yaml", [service("Acme Login")])
    assert run_cli("plan", path, "--out", "p.json").exit_code == 0
    data = saved()
    extra = json.loads(json.dumps(data["changes"][0]).replace("Acme Login", "Smuggled"))
    data["changes"].append(extra)
    data["summary"]["add"] = 2
    save(data)
    refused = run_cli("apply", "--plan", "p.json")
    assert refused.exit_code == 3, refused.stderr
    assert "service[Smuggled] (not planned now)" in refused.stderr
    assert writes(account) == []


def test_the_plans_ids_cannot_send_a_change_to_another_service(
    account: EmulatorServer, workdir: Path
) -> None:
    path = write("verifyctl.yaml", [service("Acme Login"), service("Other")])
    assert run_cli("apply", path, "--auto-approve").exit_code == 0
    hook = {"friendly_name": "audit", "event_types": ["*"], "webhook_url": "https://hooks.example.com/a"}
    write("verifyctl.yaml", [service("Acme Login", webhooks=[hook]), service("Other")])
    assert run_cli("plan", path, "--out", "p.json").exit_code == 0
    data = saved()
    # Point the plan's id of Acme Login at Other: the webhook would be created there. The plan made
    # now addresses the parent by the live id.
    data["ids"]["service[Acme Login]"] = data["ids"]["service[Other]"]
    save(data)
    assert run_cli("apply", "--plan", "p.json").exit_code == 0
    by_name = {s["friendly_name"]: s["sid"] for s in api(account, "/v2/Services")["services"]}
    hooks = {name: api(account, f"/v2/Services/{sid}/Webhooks")["webhooks"] for name, sid in by_name.items()}
    assert [h["friendly_name"] for h in hooks["Acme Login"]] == ["audit"]
    assert hooks["Other"] == []


def test_policy_runs_on_what_is_applied_not_on_the_files_findings(
    account: EmulatorServer, workdir: Path
) -> None:
    path = write("verifyctl.yaml", [service("Acme Login", 6)], policy={"rules": {"code-length": {"min": 8}}})
    # plan exits 4 (apply would refuse) but still saves the plan, which an attacker may then edit.
    assert run_cli("plan", path, "--out", "p.json").exit_code == 4
    data = saved()
    assert data["blocking_findings"]
    data["blocking_findings"] = []
    data["findings"] = []
    save(data)
    refused = run_cli("apply", "--plan", "p.json")
    assert refused.exit_code == 3 and "error[code-length]" in refused.stderr, refused.stderr
    assert writes(account) == []


def test_without_paths_it_prints_the_command_that_applies_it_and_that_command_works(
    account: EmulatorServer, workdir: Path
) -> None:
    write("verify/login.yaml", [service("Acme Login")])
    write("verify/checkout.yaml", [service("Checkout")])
    assert run_cli("plan", "verify/", "--out", "p.json").exit_code == 0
    refused = run_cli("apply", "--plan", "p.json")
    assert refused.exit_code == 64, refused.stderr
    command = refused.stderr.split("apply it with the files it was made from: ", 1)[1].strip()
    assert command == "verifyctl apply --plan p.json verify/checkout.yaml verify/login.yaml"
    assert writes(account) == []
    applied = run_cli(*shlex.split(command)[1:])
    assert applied.exit_code == 0, applied.stderr
    assert sorted(s["friendly_name"] for s in api(account, "/v2/Services")["services"]) == [
        "Acme Login",
        "Checkout",
    ]


def test_other_or_changed_files_are_refused_with_the_command(account: EmulatorServer, workdir: Path) -> None:
    path = write("verifyctl.yaml", [service("Acme Login")])
    assert run_cli("plan", path, "--out", "p.json").exit_code == 0
    write("verifyctl.yaml", [service("Acme Login", 8)])
    refused = run_cli("apply", "--plan", "p.json", path)
    assert refused.exit_code == 3, refused.stderr
    assert "not the one the saved plan was made from" in refused.stderr
    assert "verifyctl apply --plan p.json verifyctl.yaml" in refused.stderr
    assert writes(account) == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "the plan must be a JSON object, not an array"),
        ("plan", "the plan must be a JSON object, not a string"),
        (None, "the plan must be a JSON object, not null"),
        ({"format_version": 3}, "format_version is 3, not 4"),
    ],
)
def test_a_document_that_is_not_a_plan_is_an_error_not_a_traceback(
    account: EmulatorServer, workdir: Path, document: Any, message: str
) -> None:
    write("verifyctl.yaml", [service("Acme Login")])
    save(document)
    failed = run_cli("apply", "--plan", "p.json")
    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"Error: p.json is not a verifyctl plan file: {message}")
    assert writes(account) == []


@pytest.mark.parametrize("make", [Path.mkdir, lambda path: os.mkfifo(path)], ids=["directory", "fifo"])
def test_a_file_that_is_not_regular_is_refused_without_reading_it(
    account: EmulatorServer, workdir: Path, make: Callable[[Path], object]
) -> None:
    write("verifyctl.yaml", [service("Acme Login")])
    make(Path("p.json"))
    failed = run_cli("apply", "--plan", "p.json")
    assert failed.exit_code == 1
    assert failed.stderr.startswith("Error: cannot read the saved plan p.json: it is a ")
    assert failed.stderr.endswith(", and only a regular file is read\n")
    assert writes(account) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=5,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in children:
        found += _paths(value, (*prefix, key))
    return found


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_mangled_saved_plan_writes_nothing_unless_it_still_equals_the_plan(
    account: EmulatorServer, workdir: Path, data: st.DataObject
) -> None:
    path = write("verifyctl.yaml", [service("Acme Login")])
    if not Path("p.json").exists():
        assert run_cli("plan", path, "--out", "p.json").exit_code == 0
        Path("original.json").write_text(Path("p.json").read_text(encoding="utf-8"), encoding="utf-8")
    document = json.loads(Path("original.json").read_text(encoding="utf-8"))
    where = data.draw(st.sampled_from(_paths(document)))
    value = data.draw(JSON)
    if where:
        parent = document
        for step in where[:-1]:
            parent = parent[step]
        parent[where[-1]] = value
    else:
        document = value
    save(document)
    before = len(writes(account))
    result = run_cli("apply", "--plan", "p.json", path)  # a traceback would raise here
    assert result.exit_code in (0, 1, 3, 64), result.stderr
    if result.exit_code != 0:
        assert result.stderr.startswith("Error: ") and len(writes(account)) == before


def test_a_targeted_plan_is_made_again_with_its_targets(account: EmulatorServer, workdir: Path) -> None:
    path = write("verifyctl.yaml", [service("Acme Login"), service("Checkout")])
    assert run_cli("plan", path, "--target", "service[Checkout]", "--out", "p.json").exit_code == 0
    applied = run_cli("apply", "--plan", "p.json")
    assert applied.exit_code == 0, applied.stderr
    assert [s["friendly_name"] for s in api(account, "/v2/Services")["services"]] == ["Checkout"]
