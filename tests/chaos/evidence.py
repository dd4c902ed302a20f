"""Counts the evidence suites gather while they run (scenarios, kills, inputs), shown in the run's summary."""

from __future__ import annotations

from collections import Counter

import pytest

COUNTS: Counter[str] = Counter()


def count(name: str, amount: int = 1) -> None:
    COUNTS[name] += amount


def report(terminalreporter: pytest.TerminalReporter, title: str, prefix: str) -> None:
    """One section listing the counts whose names start with `prefix` (nothing when none ran)."""
    lines = [(name[len(prefix) :], n) for name, n in sorted(COUNTS.items()) if name.startswith(prefix)]
    if not lines:
        return
    terminalreporter.section(title, sep="-")
    for name, value in lines:
        terminalreporter.line(f"{name}: {value}")
