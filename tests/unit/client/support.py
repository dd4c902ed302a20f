"""Constants and fakes shared by the client tests (importable, unlike conftest)."""

from __future__ import annotations

import base64

from verifyctl.client import RetryPolicy

BASE = "https://verify.twilio.com"
ACCOUNT = "AC" + "a" * 32
AUTH_TOKEN = "tok-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c"
BASIC = base64.b64encode(f"{ACCOUNT}:{AUTH_TOKEN}".encode()).decode()


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def make_policy(
    fake_time: FakeTime,
    *,
    jitter: float = 0.5,
    max_attempts: int = 5,
    base_delay: float = 1.0,
    max_delay: float = 8.0,
    max_total_seconds: float = 60.0,
) -> RetryPolicy:
    """A policy on fake time whose jitter draw is always `jitter`."""
    return RetryPolicy(
        max_attempts=max_attempts,
        base_delay=base_delay,
        max_delay=max_delay,
        max_total_seconds=max_total_seconds,
        # Concurrency 429s back off and give up like the rest unless a test says otherwise.
        throttled_base_delay=base_delay,
        max_throttled_attempts=max_attempts,
        sleep=fake_time.sleep,
        random=lambda: jitter,
        clock=fake_time.clock,
    )
