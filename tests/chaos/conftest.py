"""Chaos suites: fault-injected convergence and killed applies; their counts close the test run's output."""

from __future__ import annotations

import functools

import pytest

from tests.chaos.evidence import report
from verifyctl.client import retry, verify_client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    report(terminalreporter, "chaos evidence", "chaos: ")


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's own retry policy with millisecond backoff, so a run under faults takes no real waiting.

    What is retried, and how often, is unchanged; only the sleeps between attempts shrink.
    """
    quick = functools.partial(retry.RetryPolicy, base_delay=0.002, max_delay=0.02)
    monkeypatch.setattr(verify_client, "RetryPolicy", quick)
