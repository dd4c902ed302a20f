"""Counts the evidence suites gather while they run (scenarios, kills, inputs), shown in the run's summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

COUNTS: Counter[str] = Counter()
# Figures that are not counts (a measured time and peak memory), shown after the counts.
NOTES: dict[str, str] = {}


def count(name: str, amount: int = 1) -> None:
    COUNTS[name] += amount


def note(name: str, text: str) -> None:
    NOTES[name] = text


def export() -> dict[str, Any]:
    """This process's counts and notes, as JSON-ready data (an xdist worker sends them to the controller)."""
    return {"counts": dict(COUNTS), "notes": dict(NOTES)}


def merge(exported: dict[str, Any]) -> None:
    """Add another process's exported counts to this one's (its notes replace ours of the same name)."""
    COUNTS.update({str(name): int(n) for name, n in exported.get("counts", {}).items()})
    NOTES.update({str(name): str(text) for name, text in exported.get("notes", {}).items()})


def report(terminalreporter: pytest.TerminalReporter, title: str, prefix: str) -> None:
    """One section listing the counts whose names start with `prefix` (nothing when none ran)."""
    lines: list[tuple[str, object]] = [
        (name[len(prefix) :], n) for name, n in sorted(COUNTS.items()) if name.startswith(prefix)
    ]
    lines += [(name[len(prefix) :], text) for name, text in sorted(NOTES.items()) if name.startswith(prefix)]
    if not lines:
        return
    terminalreporter.section(title, sep="-")
    for name, value in lines:
        terminalreporter.line(f"{name}: {value}")
