"""A path that cannot be read stops plan and apply before any request: exit 1, naming the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from tests.unit.config.test_config_paths import unreadable
from verifyctl.emulator import EmulatorServer


@pytest.mark.parametrize("command", [("plan",), ("apply", "--auto-approve", "--allow-delete", "--force")])
def test_an_unreadable_directory_under_prune_sends_no_request(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    # With `prune: true`, a silently skipped directory would plan its services for deletion.
    config = workdir / "config"
    (config / "team").mkdir(parents=True)
    (config / "account.yaml").write_text("version: 1\nprune: true\nservices: []\n")
    (config / "team" / "login.yaml").write_text("version: 1\nservices:\n  - friendly_name: Acme Login\n")
    unreadable(monkeypatch, config / "team")
    account.clear_requests()

    run = run_cli(*command, str(config))

    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        f"Error: {config / 'team'}:1:1: cannot read the directory: Permission denied",
        "1 problem found in the configuration",
    ]
    assert run.stdout == ""
    assert account.requests() == []


def test_a_broken_symlink_sends_no_request(account: EmulatorServer, workdir: Path) -> None:
    (workdir / "verifyctl.yaml").symlink_to(workdir / "moved.yaml")
    account.clear_requests()
    run = run_cli("plan")
    assert run.exit_code == 1
    assert run.stderr.splitlines()[0] == (
        f"Error: verifyctl.yaml:1:1: broken symlink: its target {workdir / 'moved.yaml'} does not exist"
    )
    assert account.requests() == []
