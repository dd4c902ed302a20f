"""A policy error without an exception fails `plan` (exit 4) in every format, and the action's job with it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.integration.action.support import ACCOUNT, account_env, run_action
from tests.integration.conftest import run_cli
from tests.integration.emulator.support import Api
from verifyctl.emulator import EmulatorServer

EMULATOR_OPTIONS = {"accounts": [ACCOUNT]}
WEAK = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 4
    rate_limits:
      - unique_name: end_user_phone
        buckets: [{interval: 60, max: 5}]
"""


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("detailed", [[], ["--detailed-exitcode"]])
def test_plan_exits_4_on_a_policy_error_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, detailed: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "verifyctl.yaml").write_text(WEAK, encoding="utf-8")
    plan = run_cli("plan", "--local", "--format", fmt, "--out", "plan.json", *detailed)
    assert plan.exit_code == 4, plan.stderr
    assert "error[code-length]" in plan.stdout  # the plan is shown, with its finding
    assert "1 policy error without an exception (listed in the plan): apply would refuse" in plan.stderr
    assert (tmp_path / "plan.json").is_file()  # saved for review; apply refuses it too


def test_the_action_fails_the_plan_job_and_the_comment_says_why(
    runner: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    (tmp_path / "repo" / "verify" / "verifyctl.yaml").write_text(WEAK, encoding="utf-8")
    ran, checked = run_action(
        {**runner, **account_env(emulator)},
        tmp_path / "repo",
        INPUT_COMMAND="plan",
        INPUT_PATHS="verify/",
        INPUT_DETAILED_EXITCODE="true",
    )
    assert ran.outputs["exit-code"] == "4"
    assert checked.exit_code == 1
    assert "policy errors without an exception, so apply would refuse this plan" in checked.stdout
    markdown = Path(ran.outputs["markdown"]).read_text(encoding="utf-8")
    assert markdown.startswith(
        "<!-- verifyctl-plan:default -->\n### verifyctl plan\n\n❌ **This plan fails (exit code 4)**"
    )
    assert "error[code-length]: code_length is 4" in markdown
    assert "⛔ Apply will refuse: 1 policy error without an exception." in markdown


def test_without_changes_the_findings_are_shown_and_plan_passes(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Apply refuses only what it would write: an account already as the files say has nothing to refuse.
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("TWILIO_", "VERIFYCTL_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT[0])
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", ACCOUNT[1])
    api = Api(emulator.base_url, ACCOUNT)
    service = api.service("Acme Login", CodeLength="4")
    api.create(f"/v2/Services/{service['sid']}/RateLimits", {"UniqueName": "end_user_phone"})
    rate_limit = api.get(f"/v2/Services/{service['sid']}/RateLimits").json()["rate_limits"][0]
    api.create(
        f"/v2/Services/{service['sid']}/RateLimits/{rate_limit['sid']}/Buckets",
        {"Interval": "60", "Max": "5"},
    )
    (tmp_path / "verifyctl.yaml").write_text(WEAK, encoding="utf-8")
    plan = run_cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    assert "error[code-length]" in plan.stdout and "No changes." in plan.stdout
