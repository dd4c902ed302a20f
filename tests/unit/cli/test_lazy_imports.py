"""Commands import only what they run: --help no pydantic, validate no HTTP, plan no emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from verifyctl.emulator import EmulatorServer

REPO_ROOT = Path(__file__).resolve().parents[3]
# Run main() in a fresh interpreter, then name which heavy packages it imported.
PROBE = """
import sys
from verifyctl.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("LOADED", ",".join(m for m in WATCHED if m in sys.modules))
"""
# The emulator's server and SQLite, and the modules of its routes that managing services never calls.
EMULATOR = ("verifyctl.emulator.server", "sqlite3", "http.server")
EMULATOR_WORKFLOW = tuple(
    f"verifyctl.emulator.{name}"
    for name in (
        "workflow",
        "attempts",
        "entities",
        "factors",
        "challenges",
        "access_tokens",
        "passkeys",
        "forms",
    )
)
# A fleet's code (members, waves, member tables, saved fleet plans) and the apply report's writer: a run
# over one account without --report uses none of them.
FLEET = tuple(
    f"verifyctl.{name}"
    for name in (
        "engine.fleet",
        "engine.fleet_run",
        "engine.fleet_targets",
        "engine.waves",
        "cli.fleet_apply",
        "plan.fleet",
        "plan.saved_fleet",
        "render.fleet",
        "render.fleet_apply",
    )
)
REPORT = ("verifyctl.cli.apply_report", "verifyctl.engine.apply_report", "getpass")
WATCHED = ("requests", "urllib3", "pydantic", *EMULATOR, *EMULATOR_WORKFLOW, *FLEET, *REPORT)
ONE_SERVICE = "version: 1\nservices:\n  - friendly_name: Acme Login\n    code_length: 6\n"


def loaded(*args: str, cwd: Path = REPO_ROOT, env: dict[str, str] | None = None) -> set[str]:
    # The caller's TWILIO_* and VERIFYCTL_* never reach the command: only what a test gives.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("WATCHED", repr(WATCHED)), *args],
        env={**clean, **(env or {}), "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOADED"))
    return {name for name in line.removeprefix("LOADED ").split(",") if name}


@pytest.mark.parametrize("args", [("--version",), ("--help",)], ids=" ".join)
def test_version_and_help_import_neither_http_nor_pydantic(args: tuple[str, ...]) -> None:
    assert loaded(*args) == set()


@pytest.mark.parametrize("args", [("validate", "examples/"), ("schema",)], ids=" ".join)
def test_validate_and_schema_import_no_http_stack(args: tuple[str, ...]) -> None:
    assert not loaded(*args) & {"requests", "urllib3"}


def test_apply_local_does_not_import_the_emulators_verify_workflow(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(ONE_SERVICE, encoding="utf-8")
    found = loaded("apply", "--local", "--auto-approve", "one.yaml", cwd=tmp_path)
    assert (tmp_path / ".verifyctl" / "local.sqlite3").exists()  # it did start the embedded emulator
    assert set(EMULATOR) <= found
    assert not found & set(EMULATOR_WORKFLOW)
    assert not found & {*FLEET, *REPORT}


def test_one_accounts_plan_and_saved_plans_apply_import_no_fleet_or_report_code(tmp_path: Path) -> None:
    (tmp_path / "verifyctl.yaml").write_text(ONE_SERVICE, encoding="utf-8")
    planned = loaded("plan", "--local", "--out", "one.json", cwd=tmp_path)
    assert (tmp_path / "one.json").exists()  # it did plan (and save) the account
    applied = loaded("apply", "--local", "--plan", "one.json", cwd=tmp_path)
    assert "Acme Login" in (tmp_path / ".verifyctl" / "local.sqlite3").read_bytes().decode("latin-1")
    assert not planned & {*FLEET, *REPORT}
    assert not applied & {*FLEET, *REPORT}


def test_plan_against_an_api_imports_no_emulator(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(ONE_SERVICE, encoding="utf-8")
    with EmulatorServer(host="127.0.0.1", port=0) as server:
        sid, token = server.accounts[0]
        env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, "VERIFYCTL_API_URL": server.base_url}
        found = loaded("plan", "--detailed-exitcode", "one.yaml", cwd=tmp_path, env=env)
        assert any(r["path"] == "/v2/Services" for r in server.requests())  # it did read the account
    assert "requests" in found
    assert not found & {*EMULATOR, *EMULATOR_WORKFLOW}


def test_the_help_pages_summaries_are_the_commands_own() -> None:
    import click

    from verifyctl.cli.main import COMMANDS, SUMMARIES, cli

    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None
        assert SUMMARIES[name] == (command.help or "").split("\n\n")[0], name
