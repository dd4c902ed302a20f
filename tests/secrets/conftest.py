"""Secrets suite: how many commands and outputs were searched for the sentinel secrets, in the summary."""

from __future__ import annotations

import pytest

from tests.chaos.evidence import report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    report(terminalreporter, "secrets evidence", "secrets: ")
