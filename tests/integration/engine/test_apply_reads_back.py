"""Writes read back: a value the API stores otherwise than sent fails the apply with the value to write,
and once the file says it, the plan is empty; every other apply ends "N changes read back as written"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from verifyctl.config import models
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

# The emulator's test mode stores a service's friendly_name trimmed, its blanks collapsed.
NORMALISING = [{"normalise_names": True}]

SPACED = """\
version: 1
services:
  - friendly_name: "Acme  Login "
    code_length: 6
    webhooks:
      - friendly_name: audit
        webhook_url: https://user:hunter2@hooks.example.com/verify?token=abc
        event_types: [factor.created, challenge.approved]
"""

FIXED = SPACED.replace('"Acme  Login "', '"Acme Login"')

LINE = (
    'service[Acme  Login ].friendly_name: sent "Acme  Login ", stored "Acme Login":'
    ' write "Acme Login" in the file'
)


def write(directory: Path, text: str) -> str:
    path = directory / "verifyctl.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("emulator", NORMALISING, indirect=True)
def test_a_value_stored_otherwise_is_reported_with_the_fix_and_the_fixed_file_plans_nothing(
    account: EmulatorServer, tmp_path: Path
) -> None:
    config = write(tmp_path, SPACED)
    applied = run_cli("apply", config, "--auto-approve")
    assert applied.exit_code == 1, applied.stderr
    assert "Apply complete: 2 applied, 0 failed, 0 skipped." in applied.stdout
    error = applied.stderr[applied.stderr.index("Error: ") :].splitlines()
    assert error == [
        "Error: 1 value was stored differently from how it was sent (in 1 of 2 changes read back): write it"
        " in the file as Twilio stores it, or every plan will show it as a change:",
        f"  {LINE}",
    ]
    assert "read back as written" not in applied.stdout
    # The webhook's credentials and query are never printed, in any output.
    assert "hunter2" not in applied.stdout + applied.stderr and "token=abc" not in applied.stderr

    # As it is, the file would be created again: exactly what the read-back warns of.
    again = run_cli("plan", config, "--detailed-exitcode")
    assert again.exit_code == 2 and "+ service[Acme  Login ]" in again.stdout

    fixed = write(tmp_path, FIXED)
    settled = run_cli("plan", fixed, "--detailed-exitcode")
    assert settled.exit_code == 0, settled.stdout + settled.stderr
    assert "No changes." in settled.stdout


@pytest.mark.parametrize("emulator", NORMALISING, indirect=True)
def test_an_update_is_read_back_too(account: EmulatorServer, tmp_path: Path) -> None:
    assert run_cli("apply", write(tmp_path, FIXED), "--auto-approve").exit_code == 0
    # A rename through `formerly`: an update of friendly_name, which the API stores collapsed.
    renamed = FIXED.replace('"Acme Login"', '"Acme   Sign In"\n    formerly: [Acme Login]')
    applied = run_cli("apply", write(tmp_path, renamed), "--auto-approve")
    assert applied.exit_code == 1, applied.stderr
    assert "(in 1 of 1 change read back)" in applied.stderr
    assert (
        'service[Acme   Sign In].friendly_name: sent "Acme   Sign In", stored "Acme Sign In":'
        ' write "Acme Sign In" in the file'
    ) in applied.stderr


def test_an_apply_ends_with_the_changes_read_back_as_written(account: EmulatorServer, tmp_path: Path) -> None:
    applied = run_cli("apply", write(tmp_path, SPACED), "--auto-approve")
    assert applied.exit_code == 0, applied.stderr
    # Without the test mode the emulator stores what it is sent: both creates read back as written.
    assert applied.stdout.endswith(
        "Apply complete: 2 applied, 0 failed, 0 skipped.\n2 changes read back as written.\n"
    )
    # Deletes send nothing to read back: only the update counts.
    smaller = SPACED.replace("    code_length: 6\n", "    code_length: 8\n").split("    webhooks:")[0]
    changed = run_cli(
        "apply", write(tmp_path, smaller + "    webhooks: []\n"), "--auto-approve", "--allow-delete"
    )
    assert changed.exit_code == 0, changed.stderr
    assert changed.stdout.endswith(
        "Apply complete: 2 applied, 0 failed, 0 skipped.\n1 change read back as written.\n"
    )


@pytest.mark.parametrize("emulator", NORMALISING, indirect=True)
def test_with_a_failed_change_too_the_values_are_listed_before_the_failure(
    account: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A unique_name only the API refuses (as in test_apply_refused_value.py): validate's pattern loosened.
    monkeypatch.setattr(models, "RATE_LIMIT_NAME_PATTERN", ".+")
    refused = SPACED.replace(
        "    webhooks:", '    rate_limits:\n      - unique_name: "has space"\n    webhooks:'
    )
    applied = run_cli("apply", write(tmp_path, refused), "--auto-approve")
    assert applied.exit_code == 1
    assert f"\n  {LINE}\n" in applied.stdout
    last = applied.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: 1 change failed") and "fix the configuration" in last
