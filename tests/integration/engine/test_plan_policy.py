"""The policy in plan and apply: findings above the plan, live-template rules, apply refusing first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import run_cli, writes
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

RATE_LIMITS = [{"unique_name": "end_user_phone", "buckets": [{"interval": 60, "max": 5}]}]


def write(document: dict[str, object]) -> str:
    Path("verifyctl.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return "verifyctl.yaml"


def test_plan_prints_findings_and_apply_refuses_an_error_with_nothing_written(
    account: EmulatorServer, workdir: Path
) -> None:
    # A 6-digit code passes validate; the policy asks for 8, so plan shows the error and apply refuses.
    path = write(
        {
            "version": 1,
            "services": [{"friendly_name": "Acme Login", "code_length": 6, "rate_limits": RATE_LIMITS}],
            "policy": {"rules": {"code-length": {"min": 8}}},
        }
    )
    plan = run_cli("plan", path)
    assert plan.exit_code == 4, plan.stderr  # shown, and failed: apply would refuse it
    lines = plan.stdout.splitlines()
    assert lines[0].startswith("Account: ")
    assert lines[1] == "verifyctl.yaml:4:3: error[code-length]: code_length is 6; set it to at least 8"
    assert "Apply will refuse: 1 policy error without an exception" in plan.stdout
    as_json = json.loads(run_cli("plan", path, "--format", "json").stdout)
    assert as_json["blocking_findings"] == [lines[1]]
    assert "error[code-length]" in run_cli("plan", path, "--format", "markdown").stdout

    account.clear_requests()
    refused = run_cli("apply", path, "--auto-approve")
    assert refused.exit_code == 3
    assert "1 policy error without an exception: nothing was applied" in refused.stderr
    assert writes(account) == []
    # A saved plan keeps the finding: applying it is refused too, before any write.
    assert run_cli("plan", path, "--out", "plan.json").exit_code == 4
    assert run_cli("apply", "--plan", "plan.json").exit_code == 3
    assert writes(account) == []


def test_an_exception_with_its_reason_lets_apply_through(account: EmulatorServer, workdir: Path) -> None:
    path = write(
        {
            "version": 1,
            "services": [{"friendly_name": "Legacy IVR", "code_length": 6, "rate_limits": RATE_LIMITS}],
            "policy": {
                "rules": {"code-length": {"min": 8}},
                "exceptions": [
                    {"rule": "code-length", "service": "Legacy IVR", "reason": "IVR reads 6; JIRA-123"}
                ],
            },
        }
    )
    applied = run_cli("apply", path, "--auto-approve")
    assert applied.exit_code == 0, applied.stderr
    assert "error[code-length]" not in applied.stdout


def test_a_template_that_is_not_approved_is_found_only_against_the_live_account(
    account: EmulatorServer, workdir: Path
) -> None:
    path = write(
        {
            "version": 1,
            "services": [
                {
                    "friendly_name": "Acme Login",
                    "code_length": 6,
                    "rate_limits": RATE_LIMITS,
                    "default_template_sid": "HJ" + "0" * 31 + "9",
                }
            ],
        }
    )
    assert run_cli("validate", path).exit_code == 0
    plan = run_cli("plan", path)
    assert "error[default-template-approved]" in plan.stdout
    account.clear_requests()
    assert run_cli("apply", path, "--auto-approve").exit_code == 3
    assert writes(account) == []
