"""Chaos suites: quick retries for fault-injected runs (their counts close the run: tests/conftest.py)."""

from __future__ import annotations

import functools

import pytest

from verifyctl.client import retry, verify_client


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's own retry policy with millisecond backoff, so a run under faults takes no real waiting.

    What is retried, and how often, is unchanged; only the sleeps between attempts shrink.
    """
    quick = functools.partial(retry.RetryPolicy, base_delay=0.002, max_delay=0.02)
    monkeypatch.setattr(verify_client, "RetryPolicy", quick)
