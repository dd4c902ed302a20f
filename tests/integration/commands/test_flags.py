"""Flag hygiene: -o/--out, validate --format json, --local with --api-url, plurals, and what --help names."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from tests.integration.conftest import run_cli
from verifyctl.cli.main import COMMANDS, cli
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

ONE_SERVICE = "version: 1\nservices:\n  - friendly_name: Acme Login\n    code_length: 6\n"


def every_command() -> list[tuple[str, click.Command]]:
    """(`plan`, command), (`verify send`, command), …: every leaf command of the CLI."""
    found: list[tuple[str, click.Command]] = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", command.commands[sub]) for sub in sorted(command.commands)]
        else:
            found.append((name, command))
    return found


@pytest.mark.parametrize(("name", "command"), every_command(), ids=[n for n, _ in every_command()])
def test_help_names_paths_environment_and_exit_codes(name: str, command: click.Command) -> None:
    shown = run_cli(*name.split(), "--help")
    assert shown.exit_code == 0
    assert "Exit codes:" in shown.stdout and "64  usage error" in shown.stdout
    if any(p.name == "paths" for p in command.params):
        assert "PATHS:" in shown.stdout
    if any(p.name == "api_url" for p in command.params):
        assert "Environment:" in shown.stdout and "VERIFYCTL_API_URL" in shown.stdout


@pytest.mark.parametrize(("name", "command"), every_command(), ids=[n for n, _ in every_command()])
def test_a_file_writing_option_is_spelled_o_out(name: str, command: click.Command) -> None:
    writers = [p for p in command.params if isinstance(p, click.Option) and p.metavar == "FILE"]
    for option in writers:
        if option.hidden or option.name == "plan_file":  # --plan reads a file
            continue
        assert option.opts == ["-o", "--out"], f"{name}: {option.opts}"


def test_validate_format_json(workdir: Path) -> None:
    Path("verifyctl.yaml").write_text(ONE_SERVICE, encoding="utf-8")
    valid = run_cli("validate", "--format", "json")
    assert valid.exit_code == 0
    assert json.loads(valid.stdout) == {
        "valid": True,
        "problems": [],
        "policy_errors": [],
        "files": 1,
        "services": 1,
        "objects": 1,
    }
    Path("verifyctl.yaml").write_text(ONE_SERVICE.replace("6", "'six'"), encoding="utf-8")
    invalid = run_cli("validate", "--format", "json")
    assert invalid.exit_code == 1
    report = json.loads(invalid.stdout)
    assert report["valid"] is False
    assert [(p["file"], p["line"], p["path"]) for p in report["problems"]] == [
        ("verifyctl.yaml", 4, "services[0].code_length")
    ]


@pytest.mark.parametrize("command", [["plan"], ["emulator", "messages"]])
def test_local_with_api_url_is_a_usage_error(workdir: Path, command: list[str]) -> None:
    Path("verifyctl.yaml").write_text(ONE_SERVICE, encoding="utf-8")
    refused = run_cli(*command, "--local", "--api-url", "http://127.0.0.1:1")
    assert refused.exit_code == 64
    assert "takes no --api-url" in refused.stderr


def test_plan_out_and_one_change_in_the_singular(account: EmulatorServer, workdir: Path) -> None:
    Path("verifyctl.yaml").write_text(ONE_SERVICE, encoding="utf-8")
    assert run_cli("plan", "-o", "plan.json").exit_code == 0
    applied = run_cli("apply", "--plan", "plan.json")
    assert applied.exit_code == 0, applied.stderr
    assert "Applying 1 change to " in applied.stderr
    assert "  [1/1] + service[Acme Login]: created VA" in applied.stderr
