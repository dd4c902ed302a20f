"""The application developers' emulator page runs: its code blocks become a pytest project that passes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "emulator-app-developers.md"
DEVICES = ROOT / "tests" / "support" / "devices.py"
# A runnable block opens with a comment naming its file: `# conftest.py` or `# conftest.py (continued)`.
_BLOCK = re.compile(r"```python\n# (?P<file>[\w.]+\.py)(?: \(continued\))?\n(?P<code>.*?)```", re.DOTALL)


def page_files() -> dict[str, str]:
    """File name -> source, joining continued blocks in page order."""
    files: dict[str, str] = {}
    for block in _BLOCK.finditer(PAGE.read_text(encoding="utf-8")):
        files[block["file"]] = files.get(block["file"], "") + block["code"] + "\n"
    return files


def test_the_page_names_its_files() -> None:
    assert sorted(page_files()) == ["conftest.py", "test_passkey_sign_in.py", "test_totp_sign_in.py"]


def test_the_page_code_passes_as_a_pytest_project(tmp_path: Path) -> None:
    for name, code in page_files().items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    shutil.copy(DEVICES, tmp_path / "devices.py")
    # The snippets must not depend on the caller's Twilio or verifyctl settings.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TWILIO_", "VERIFYCTL_"))}
    # ...and the recipe must hold even when a developer's shell names an edge and a region.
    env.update(TWILIO_EDGE="sydney", TWILIO_REGION="au1")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
