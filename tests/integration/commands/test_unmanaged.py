"""Live services no file manages: counted and named by plan in every format, a drift only when asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.commands.support import create_service
from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

CONFIG = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 6
"""
OTHER = "Made by hand_2"


@pytest.fixture
def drifted(account: EmulatorServer, workdir: Path) -> dict[str, str]:
    """The configuration applied, then two services made by hand in the account: name -> SID."""
    (workdir / "verifyctl.yaml").write_text(CONFIG, encoding="utf-8")
    assert run_cli("apply", "--auto-approve").exit_code == 0
    return {name: create_service(account, FriendlyName=name) for name in ("By Hand", OTHER)}


def test_plan_counts_and_names_unmanaged_services_without_changing_the_exit_code(
    drifted: dict[str, str],
) -> None:
    run = run_cli("plan", "--detailed-exitcode", "--no-color")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "No changes." in run.stdout
    assert "Unmanaged: 2 live services that no file declares" in run.stdout
    assert f'  ? "By Hand" ({drifted["By Hand"]})' in run.stdout


def test_unmanaged_is_drift_makes_them_exit_2(drifted: dict[str, str]) -> None:
    run = run_cli("plan", "--detailed-exitcode", "--unmanaged-is-drift", "--no-color")
    assert run.exit_code == 2, run.stderr
    alone = run_cli("plan", "--unmanaged-is-drift")
    assert alone.exit_code == 64 and "--unmanaged-is-drift" in alone.stderr


def test_json_lists_them_by_name_and_sid(drifted: dict[str, str]) -> None:
    run = run_cli("plan", "--format", "json")
    assert run.exit_code == 0, run.stderr
    unmanaged = json.loads(run.stdout)["unmanaged"]
    assert unmanaged == sorted(
        ({"friendly_name": name, "sid": sid} for name, sid in drifted.items()),
        key=lambda u: u["friendly_name"],
    )


def test_markdown_names_them(drifted: dict[str, str]) -> None:
    run = run_cli("plan", "--format", "markdown")
    assert run.exit_code == 0, run.stderr
    section = run.stdout.split("Unmanaged", 1)[1]
    assert "2 live services" in section
    assert f"- By Hand ({drifted['By Hand']})" in section
    assert "Made by hand\\_2" in section


def test_prune_deletes_them_instead(drifted: dict[str, str], workdir: Path) -> None:
    (workdir / "verifyctl.yaml").write_text(
        CONFIG.replace("services:", "prune: true\nservices:"), encoding="utf-8"
    )
    run = run_cli("plan", "--no-color")
    assert "Unmanaged" not in run.stdout and "2 to destroy" in run.stdout


def test_unmanaged_is_drift_with_a_target_is_a_usage_error(drifted: dict[str, str]) -> None:
    run = run_cli("plan", "--detailed-exitcode", "--unmanaged-is-drift", "--target", "service[Acme Login]")
    assert run.exit_code == 64 and "--unmanaged-is-drift" in run.stderr and run.stdout == ""


def test_a_targeted_plan_reports_no_unmanaged_services(drifted: dict[str, str]) -> None:
    run = run_cli("plan", "--target", "service[Acme Login]", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["unmanaged"] == []
