"""The pull-request workflow inside environments: credentials, hints that run, PATHS, --env all failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from tests.integration.environments.test_environments import (  # noqa: F401 - the fixture
    EMULATOR_OPTIONS,
    PROD,
    STAGING,
    repo,
    writes,
)
from verifyctl.emulator import EmulatorServer


@pytest.mark.parametrize(
    ("variable", "command"),
    [("STAGING_TOKEN", ["plan"]), ("STAGING_TOKEN", ["apply", "--auto-approve"]), ("PROD_SECRET", ["show"])],
)
def test_a_wrong_token_in_an_environment_is_an_authentication_failure(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    command: list[str],
) -> None:
    wrong = "rotated" + "0" * 25
    monkeypatch.setenv(variable, wrong)
    env = "staging" if variable == "STAGING_TOKEN" else "production"
    run = run_cli(*command, ".", "--env", env, "--no-color")
    assert run.exit_code == 1, run.stderr
    assert "20003" in run.stderr
    assert f"check {'PROD_KEY/' if variable == 'PROD_SECRET' else ''}{variable} " in run.stderr
    assert "do not open that account" not in run.stderr
    assert "TWILIO_AUTH_TOKEN" not in run.stderr and wrong not in run.stderr
    assert writes(emulator, STAGING) == writes(emulator, PROD) == []
