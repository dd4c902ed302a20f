"""The pull-request workflow inside environments: credentials, hints that run, PATHS, --env all failures."""

from __future__ import annotations

import json
import re
import shlex
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
from verifyctl.client import Credentials, VerifyClient
from verifyctl.emulator import EmulatorServer
from verifyctl.errors import ApiError

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")


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


def hinted_command(stderr: str) -> list[str]:
    """The command the `plan --out` hint prints, as a shell would split it, without `verifyctl`."""
    line = next(line for line in stderr.splitlines() if "apply it with: " in line)
    words = shlex.split(line.split("apply it with: ", 1)[1])
    assert words[0] == "verifyctl"
    return words[1:]


def test_the_hint_after_plan_out_applies_the_environments_plan(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The files under a directory whose name a shell would take apart, and the env from VERIFYCTL_ENV.
    hostile = repo / "-verify $(touch pwned); x"
    hostile.mkdir()
    for name in ("environments.yaml", "services.yaml"):
        (repo / name).rename(hostile / name)
    monkeypatch.setenv("VERIFYCTL_ENV", "production")
    planned = run_cli("plan", "--out", "p.json", "--no-color", "--", hostile.name)
    assert planned.exit_code == 0, planned.stderr
    monkeypatch.delenv("VERIFYCTL_ENV")
    command = hinted_command(planned.stderr)
    assert "--env" in command and "production" in command
    applied = run_cli(*command)
    assert applied.exit_code == 0, applied.stderr
    assert "Apply complete: 3 applied" in applied.stdout
    assert not (repo / "pwned").exists()
    again = run_cli("plan", str(hostile), "--env", "production", "--detailed-exitcode", "--no-color")
    assert again.exit_code == 0, again.stdout + again.stderr


@pytest.mark.parametrize(
    ("broken", "code", "said"),
    [
        ({"PROD_SECRET": "rotated" + "0" * 25}, 1, "environment production: Authenticate"),
        ({"PROD_KEY": ""}, 1, "environment production: PROD_KEY is not set"),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_env_all_shows_the_healthy_plans_and_the_failing_ones_error(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    broken: dict[str, str],
    code: int,
    said: str,
    fmt: str,
) -> None:
    for name, value in broken.items():
        monkeypatch.setenv(name, value)
    run = run_cli("plan", ".", "--env", "all", "--detailed-exitcode", "--no-color", "--format", fmt)
    assert run.exit_code == code, run.stderr
    assert f"Error: {said}" in run.stderr
    if fmt == "json":
        data = json.loads(run.stdout)
        assert list(data["environments"]) == ["staging"]
        assert data["errors"]["production"].startswith(said)
        assert data["environments"]["staging"]["summary"]["add"] == 2
    else:
        staging, production = run.stdout.split("=== environment production ===")
        assert "+ service[Acme Login]" in staging and "Environment: staging" in staging
        assert f"Error: {said}" in production
    assert writes(emulator, STAGING) == writes(emulator, PROD) == []


def test_verify_send_check_and_import_take_the_configurations_paths(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
) -> None:
    # The recipes' layout: the files under verify/, not verifyctl.yaml in the current directory.
    (repo / "verify").mkdir()
    for name in ("environments.yaml", "services.yaml"):
        (repo / name).rename(repo / "verify" / name)
    assert run_cli("apply", "verify/", "--env", "staging", "--auto-approve").exit_code == 0
    to = "+15005550006"
    sent = run_cli("verify", "send", "Acme Login", "verify/", "--env", "staging", "--to", to)
    assert sent.exit_code == 0, sent.stderr
    code = re.search(r"verification code is: (\d+)", str(emulator.messages(to)[-1]["body"]))
    assert code
    checked = run_cli(
        "verify", "check", "Acme Login", "verify/", "--env", "staging", "--to", to, "--code", code[1]
    )
    assert checked.exit_code == 0, checked.stderr
    imported = run_cli("import", "--config", "verify/", "--env", "staging", "Acme Login")
    assert imported.exit_code == 0, imported.stderr
    assert "friendly_name: Acme Login" in imported.stdout
    # Production's credentials are not staging's: the environment, not TWILIO_*, chose the account.
    missing = run_cli("verify", "send", "Acme Login", "verify/", "--env", "production", "--to", to)
    assert missing.exit_code == 1 and "no live service is named 'Acme Login'" in missing.stderr


def test_any_401_of_an_environment_names_its_variables(emulator: EmulatorServer) -> None:
    # The account check catches a wrong secret first; a 401 later in the run names the same variables.
    wrong = Credentials(username=STAGING, secret="rotated" + "0" * 25, account_sid=STAGING)
    with (
        VerifyClient(emulator.base_url, wrong, credential_names="STAGING_TOKEN") as client,
        pytest.raises(ApiError) as refused,
    ):
        client.get("/v2/Services")
    message = str(refused.value)
    assert "20003" in message and "check STAGING_TOKEN (a wrong or rotated secret)" in message
    assert "TWILIO_" not in message
