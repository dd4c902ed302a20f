"""An apply whose value the API refuses (400) says to fix the configuration, not to rerun apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from verifyctl.apply.executor import ApplyResult, Outcome
from verifyctl.cli.apply_cmd import next_step
from verifyctl.config import models
from verifyctl.emulator import EmulatorServer
from verifyctl.plan.model import Action, Change
from verifyctl.resources.addresses import Address

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

# The API refuses this UniqueName (60209: letters, digits, -, _ and . only); validate refuses it too, so the
# test loosens validate's pattern to stand for a value only the API knows to be wrong.
CONFIG = """\
version: 1
services:
  - friendly_name: Refused Value
    rate_limits:
      - unique_name: "has space"
"""


def test_a_400_reads_fix_the_configuration(
    account: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "RATE_LIMIT_NAME_PATTERN", ".+")
    config = tmp_path / "verifyctl.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    run = run_cli("apply", str(config), "--auto-approve")
    assert run.exit_code == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: 1 change failed") and "fix the configuration" in last, run.stderr
    assert "rerun apply" not in run.stderr
    assert "60209" in run.stdout and "fix the configuration" in run.stdout  # the failure's own hint


def outcome(status: str, refused: bool = False) -> Outcome:
    change = Change(Address.parse("service[A]"), Action.CREATE, None, {"friendly_name": "A"}, ())
    return Outcome(change, status, "detail", refused=refused)


def test_the_next_step_follows_the_failures() -> None:
    refused = ApplyResult([outcome("failed", refused=True), outcome("skipped")])
    assert next_step(refused).endswith(
        "the API refused a value: fix the configuration (see above), then apply again"
    )
    mixed = ApplyResult([outcome("failed", refused=True), outcome("failed")])
    assert "fix the configuration for the 1 the API refused" in next_step(mixed)
    assert "rerun apply for the rest" in next_step(mixed)
    assert next_step(ApplyResult([outcome("failed")])).endswith("; rerun apply")
