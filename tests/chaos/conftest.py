"""Chaos suites: quick retries for fault-injected runs (their counts close the run: tests/conftest.py)."""

from __future__ import annotations

import functools
import time

import pytest

from verifyctl.client import retry, verify_client


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's own retry policy with every wait cut to at most 2 ms, so a run under faults takes no
    real waiting: the backoff between attempts, and the waits for racing writers (a chaos run has none).

    What is retried, and how often, is unchanged; only the sleeps shrink.
    """
    quick = functools.partial(retry.RetryPolicy, base_delay=0.002, max_delay=0.02, sleep=_quick_sleep)
    monkeypatch.setattr(verify_client, "RetryPolicy", quick)


def _quick_sleep(seconds: float) -> None:
    time.sleep(min(seconds, 0.002))
