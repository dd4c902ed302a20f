"""The embedded emulator is its state's only writer: `--local` applies never wait for racing writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from verifyctl.client.retry import RetryPolicy
from verifyctl.emulator import LOCAL_DB_PATH, EmulatorServer

CONFIG = """\
version: 1
services:
  - friendly_name: Local One
    code_length: 6
    webhooks:
      - friendly_name: audit
        event_types: [factor.created]
        webhook_url: https://hooks.example.com/audit
"""


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "VERIFYCTL_API_URL", "VERIFYCTL_LOCAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "verifyctl.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_a_local_apply_that_creates_does_not_wait_for_racing_writers(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(RetryPolicy, "pause", lambda policy, seconds: pauses.append(seconds))
    applied = run_cli("apply", str(local), "--local", "--auto-approve", "-v")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert "2 applied, 0 failed, 0 skipped" in applied.stdout + applied.stderr
    requests = [
        line.split(": ", 1)[1] for line in applied.stderr.splitlines() if "verifyctl.client: " in line
    ]
    writes = requests[next(i for i, r in enumerate(requests) if r.startswith("POST")) :]
    # The two creates and nothing else: no confirming list, no last check, no wait.
    assert [r.split(" -> ")[0] for r in writes] == ["POST /v2/Services", f"POST {writes[1].split()[1]}"]
    assert writes[1].split()[1].endswith("/Webhooks")
    assert pauses == []
    assert run_cli("plan", str(local), "--local", "--detailed-exitcode").exit_code == 0


def test_a_local_run_while_another_holds_the_state_is_refused_and_writes_nothing(local: Path) -> None:
    with EmulatorServer(db_path=LOCAL_DB_PATH):  # as another process's embedded emulator would
        refused = run_cli("apply", str(local), "--local", "--auto-approve")
        assert refused.exit_code == 1
        assert refused.stderr.splitlines()[-1] == (
            "Error: .verifyctl/local.sqlite3 is in use by another command in this directory (a --local "
            "run, or an emulator serving it): run one at a time"
        )
    # Once the holder is gone, the state is the same as before: nothing was written.
    assert run_cli("plan", str(local), "--local", "--detailed-exitcode").exit_code == 2


def test_a_served_emulator_on_a_held_database_is_a_clear_error(tmp_path: Path) -> None:
    database = tmp_path / "state.sqlite3"
    with EmulatorServer(db_path=database):
        refused = run_cli("emulator", "serve", "--port", "0", "--db", str(database))
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1] == (
        f"Error: cannot use {database} as the emulator database: {database} is in use by another process"
    )
