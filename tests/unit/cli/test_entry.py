"""The console entry point ends the process itself: output flushed, exit codes as main() gives them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from verifyctl import __version__


def verifyctl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    return subprocess.run(
        [sys.executable, "-m", "verifyctl", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
        check=False,
    )


def test_output_is_flushed_and_the_exit_code_kept(tmp_path: Path) -> None:
    version = verifyctl("--version", cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, f"verifyctl, version {__version__}\n")

    (tmp_path / "verifyctl.yaml").write_text(
        "version: 1\nservices:\n  - friendly_name: Acme\n", encoding="utf-8"
    )
    valid = verifyctl("validate", cwd=tmp_path)
    assert (valid.returncode, valid.stdout) == (0, "Valid: 1 file, 1 service, 1 object\n")

    missing = verifyctl("validate", "missing.yaml", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error: ")

    usage = verifyctl("no-such-command", cwd=tmp_path)
    assert usage.returncode == 64
