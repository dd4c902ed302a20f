"""Counts the evidence suites gather while they run (scenarios, kills, inputs), shown in the run's summary."""

from __future__ import annotations

from collections import Counter

import pytest

COUNTS: Counter[str] = Counter()
# Figures that are not counts (a measured time and peak memory), shown after the counts.
NOTES: dict[str, str] = {}


def count(name: str, amount: int = 1) -> None:
    COUNTS[name] += amount


def note(name: str, text: str) -> None:
    NOTES[name] = text


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
