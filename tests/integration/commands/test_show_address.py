"""`show --address`: one object's live settings, as `terraform state show` prints a resource."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

CONFIG = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 7
    webhooks:
      - friendly_name: audit
        webhook_url: "https://hook:S3cr3tPw@hooks.example.com/verify?token=abc"
        event_types: [challenge.approved]
        status: enabled
"""


@pytest.fixture
def applied(account: EmulatorServer, workdir: Path) -> Path:
    (workdir / "verifyctl.yaml").write_text(CONFIG, encoding="utf-8")
    assert run_cli("apply", "--auto-approve").exit_code == 0
    return workdir


def test_a_service_shows_its_settings_and_children(applied: Path) -> None:
    run = run_cli("show", "--address", "service[Acme Login]")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "# service[Acme Login]:"
    assert any(line.startswith("sid") and '"VA' in line for line in lines)
    assert any(line.replace(" ", "") == "code_length=7" for line in lines)
    assert any(line.replace(" ", "") == 'friendly_name="AcmeLogin"' for line in lines)
    assert "children:" in lines
    assert any(line.startswith("  service[Acme Login]/webhook[audit]  YW") for line in lines)


def test_a_child_shows_its_settings_with_secrets_masked(applied: Path) -> None:
    run = run_cli("show", "--address", "service[Acme Login]/webhook[audit]", "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["address"] == "service[Acme Login]/webhook[audit]" and data["sid"].startswith("YW")
    assert data["settings"]["event_types"] == ["challenge.approved"]
    assert "S3cr3tPw" not in run.stdout and "token=abc" not in run.stdout
    assert "hooks.example.com/verify" in data["settings"]["webhook_url"]


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["--address", "service[Nope]"], 1, "service[Nope]: no such live object"),
        (["--address", "service[Acme Login]/webhook[none]"], 1, "webhook[none]: no such live object"),
        (["--address", "service[Acme Login"], 64, "Error:"),
    ],
)
def test_an_address_that_names_nothing_is_an_error(
    applied: Path, args: list[str], code: int, said: str
) -> None:
    run = run_cli("show", *args)
    assert run.exit_code == code, run.stderr
    assert said in run.stderr and run.stdout == ""


def test_address_with_env_all_is_a_usage_error(applied: Path) -> None:
    run = run_cli("show", "--address", "service[Acme Login]", "--env", "all")
    assert run.exit_code == 64 and "--env NAME" in run.stderr and run.stdout == ""
