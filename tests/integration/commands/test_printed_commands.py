"""Every command a hint prints works as printed: each is taken from the output and run, in a shell."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

SERVICE = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 6
"""


def hinted(stderr: str, lead: str) -> str:
    """What follows `lead` on the line of stderr that holds it."""
    line = next(line for line in stderr.splitlines() if lead in line)
    return line.split(lead, 1)[1]


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `command` with `sh`, `verifyctl` on PATH being this checkout's, no account in the environment."""
    bin_dir = cwd.parent / f"{cwd.name}-bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "verifyctl"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m verifyctl "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    environ = {**keep, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    return subprocess.run(
        ["sh", "-c", command], cwd=cwd, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_hint_after_a_local_plan_out_applies_it(workdir: Path) -> None:
    config = workdir / "-my verify `touch pwned`"
    config.mkdir()
    (config / "login.yaml").write_text(SERVICE, encoding="utf-8")
    planned = run_cli("plan", "--local", "-o", "plan file.json", "--no-color", "--", config.name)
    assert planned.exit_code == 0, planned.stderr
    command = hinted(planned.stderr, "apply it with: ")
    assert "--local" in command
    applied = shell(command, workdir)
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete: 1 applied" in applied.stdout
    assert not (workdir / "pwned").exists()


def test_the_schema_hint_of_import_writes_the_schema(account: EmulatorServer, workdir: Path) -> None:
    imported = run_cli("import", "-o", "verifyctl.yaml")
    assert imported.exit_code == 0, imported.stderr
    command = hinted(imported.stderr, "write it with `").split("`", 1)[0]
    written = shell(command, workdir)
    assert written.returncode == 0, written.stderr
    assert (workdir / "schemas" / "verifyctl.schema.json").read_text(encoding="utf-8").startswith("{")
