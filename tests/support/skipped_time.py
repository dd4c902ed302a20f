"""A clock and sleep that skip waits, for runs whose point is not timing: the waits end at once."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SkippedTime:
    """A clock that runs at real speed plus every wait it was asked for, and a sleep that only adds to it:
    waits end at once, yet whatever waits until the clock passes a time sees it pass."""

    skipped: float = 0.0
    sleeps: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def clock(self) -> float:
        return time.monotonic() + self.skipped

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.skipped += max(0.0, seconds)


def on_skipped_time(policy_class: Any, skipped: SkippedTime) -> Any:
    """The retry policy class with the same bounds, on `skipped`'s clock and sleep.

    Every wait of a run goes through it: the client's retries and pacing, and the waits for racing
    writers (the tie window after creates, the settle reads, apply's re-plans).
    """
    return functools.partial(policy_class, sleep=skipped.sleep, clock=skipped.clock)
