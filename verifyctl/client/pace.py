"""Pace the endpoints Twilio limits by request rate under their documented rate (the kinds name them)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """At most `limit` requests in any `window` seconds, to paths starting with `prefix`.

    Every request under the prefix counts; the client's 429 retry stays the backstop for requests that
    other processes send on the same account meanwhile.
    """

    prefix: str
    limit: int
    window: float


@dataclass(frozen=True)
class Progress:
    """Requests of a paced endpoint sent so far, and the seconds left until the expected total are."""

    sent: int
    seconds_left: float


class WindowPacer:
    """A sliding window: each request gets a send time at least `window` after the one `limit` before it.

    A run with fewer requests than `limit` never waits; a longer one settles at `limit` per `window`.
    Send times are reserved under a lock, so concurrent callers are spaced, never bunched.
    """

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        if rate.limit < 1 or rate.window <= 0:
            raise ValueError(f"a rate needs a positive limit and window, not {rate}")
        self.rate = rate
        self._clock = clock
        self._sent: deque[float] = deque()
        self._reserved = 0  # over the client's life
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Reserve the next send time; the seconds to wait before sending (0 when there is room now)."""
        with self._lock:
            now = self._clock()
            while self._sent and self._sent[0] <= now - self.rate.window:
                self._sent.popleft()
            at = now
            if len(self._sent) >= self.rate.limit:
                at = max(now, self._sent[-self.rate.limit] + self.rate.window)
            self._sent.append(at)
            self._reserved += 1
            return at - now

    def progress(self, total: int) -> Progress:
        """How many requests went out so far, and how long until `total` have gone at this rate."""
        with self._lock:
            now = self._clock()
            waiting = sum(1 for at in self._sent if at > now)
            last = self._sent[-1] if self._sent else now
            unreserved = max(0, total - self._reserved)
            # Each request not yet reserved goes one slot (window / limit) after the last reserved one.
            left = max(0.0, last - now) + unreserved * self.rate.window / self.rate.limit
            return Progress(self._reserved - waiting, left if total > self.rate.limit else 0.0)


class Paces:
    """The pacers of one client, by path prefix."""

    def __init__(self, rates: tuple[Rate, ...] = (), clock: Callable[[], float] = time.monotonic):
        self._pacers = tuple(WindowPacer(rate, clock) for rate in rates)

    def delay(self, path: str) -> float:
        """Seconds to wait before sending a request to `path` (reserving its place)."""
        pacer = self._pacer(path)
        return pacer.reserve() if pacer is not None else 0.0

    def progress(self, prefix: str, total: int) -> Progress | None:
        """The progress of `total` requests under `prefix`, None when nothing paces that path."""
        pacer = self._pacer(prefix)
        return pacer.progress(total) if pacer is not None else None

    def _pacer(self, path: str) -> WindowPacer | None:
        return next((pacer for pacer in self._pacers if path.startswith(pacer.rate.prefix)), None)
