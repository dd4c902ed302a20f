"""The cycle collector: switched off once, by the process entry point, never by library code."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest

from verifyctl.cli import entry

PACKAGE = Path(__file__).resolve().parents[2] / "verifyctl"


class Exited(Exception):
    pass


def test_the_entry_point_runs_the_command_with_the_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    codes: list[int] = []

    def ended(code: int) -> None:
        codes.append(code)
        raise Exited

    monkeypatch.setattr(entry, "main", lambda: seen.append(gc.isenabled()))
    monkeypatch.setattr(entry.os, "_exit", ended)
    try:
        with pytest.raises(Exited):
            entry.run()
    finally:
        gc.enable()
    assert seen == [False] and codes == [0]


def test_no_library_module_touches_the_collector() -> None:
    """Library code runs in threads (`plan --env all`): a switch there would undo another thread's."""
    touching = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"\bgc\.", path.read_text(encoding="utf-8"))
    ]
    assert touching == ["cli/entry.py"]
