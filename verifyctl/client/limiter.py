"""An adaptive (AIMD) limit on requests in flight, with a cancel switch for queued requests.

What it follows:
- Netflix concurrency-limits' AIMDLimit: grow by one per successful request while at least half
  the limit is in use, shrink multiplicatively (backoff ratio 0.9 by default) on a dropped request,
  which here is Twilio's concurrency 429 (code 20429).
- TCP congestion control (RFC 5681): the +1-per-success growth is slow start and only lasts until
  the first drop; Netflix's rule used throughout would settle near twice a hard cap, with as many
  429s as requests (measured in a simulation of a 8-request cap: 587 429s for 501 requests).
- Limited slow start (after RFC 3742): slow start never takes the limit past 1.5x the highest
  level at which a request succeeded, so the overshoot before the first 429 is back stays small.
- Every drop is measured from the level at which the refused request was sent, not from the
  limit: slow start overshoots (the first 429 of a round comes back after its successes, each of
  which grew the limit), and that level is where the cap actually was crossed.
- CUBIC (RFC 9438)'s shape after a drop: climb back fast to just under the level that failed,
  plateau there, then probe above it ever faster (+1, +2, +3 ... per window without a 429), so a
  fixed cap costs one 429 now and then and a raised cap is found again.
- NewReno (RFC 6582): at most one reduction per window. Every request in flight when the cap is
  crossed comes back 429 together; only requests that started after the last change count, so one
  burst shrinks the limit once, not once per request.

Random 429s carrying 20429 (the emulator's --throttle-rate) look the same as a cap and keep the
limit low; `adaptive=False` pins the limit at the ceiling for accounts known not to cap.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from verifyctl.errors import TransportError

SLOW_START_GAIN = 1.5


class CancelledError(TransportError):
    """The run was cancelled (another request failed for good) before this request was sent."""


@dataclass(frozen=True)
class LimitPath:
    """Where the limit went during a run, for `--stats`."""

    adaptive: bool
    start: int
    peak: int
    low: int
    final: int
    ceiling: int
    throttled: int  # concurrency 429s seen (each one retried or given up on)
    decreases: int


@dataclass(frozen=True)
class Slot:
    """A permit to send one request; `epoch` tells whether it started after the last change."""

    epoch: int
    # Requests in flight when this one went out, itself included. A 429 on it says the cap is below
    # this level: the tightest estimate there is, since slow start's overshoot is still on the wire.
    level: int


class ConcurrencyLimiter:
    """Gates requests at a limit between 1 and `ceiling` that adapts to success and 20429s."""

    def __init__(
        self, ceiling: int, *, start: int = 8, adaptive: bool = True, backoff_ratio: float = 0.9
    ) -> None:
        if ceiling < 1:
            raise ValueError(f"the concurrency ceiling must be at least 1, not {ceiling}")
        if start < 1:
            raise ValueError(f"the starting concurrency must be at least 1, not {start}")
        if not 0.0 < backoff_ratio < 1.0:
            raise ValueError(f"backoff_ratio must be between 0 and 1, not {backoff_ratio}")
        self.ceiling = ceiling
        self.adaptive = adaptive
        self._ratio = backoff_ratio
        first = min(start, ceiling) if adaptive else ceiling
        # A float so congestion avoidance can add 1/limit per success; the gate uses its floor.
        self._limit = float(first)
        self._start = first
        self._peak = first
        self._low = first
        self._in_flight = 0
        self._epoch = 0
        self._slow_start = True
        self._failed_at = 0.0  # the level of the last drop (CUBIC's W_max)
        self._windows = 0  # full windows since the last drop without one
        self._successes = 0  # successes counted towards the current window
        self._served = 0  # the highest level at which a request succeeded
        self._throttled = 0
        self._decreases = 0
        self._cancelled = threading.Event()
        self._cond = threading.Condition(threading.Lock())

    @property
    def limit(self) -> int:
        return max(1, int(self._limit))

    @property
    def cancelled(self) -> threading.Event:
        """Set once `cancel()` was called; waits on it wake at once."""
        return self._cancelled

    def acquire(self) -> Slot:
        """Wait for room under the limit; raise CancelledError if the run was cancelled meanwhile."""
        with self._cond:
            while not self._cancelled.is_set() and self._in_flight >= self.limit:
                self._cond.wait()
            if self._cancelled.is_set():
                raise CancelledError("not sent: the run was cancelled after another request failed")
            self._in_flight += 1
            return Slot(self._epoch, self._in_flight)

    def release(self, slot: Slot, *, succeeded: bool = False, throttled: bool = False) -> None:
        """Give the slot back, growing the limit on success and shrinking it on a concurrency 429."""
        with self._cond:
            using = self._in_flight
            self._in_flight -= 1
            if throttled:
                self._throttled += 1
            if self.adaptive and slot.epoch == self._epoch:
                if throttled:
                    self._shrink(slot.level)
                elif succeeded and using * 2 >= self.limit:
                    self._grow(slot.level)
            self._cond.notify()

    def _grow(self, level: int) -> None:
        self._served = max(self._served, level)
        if self._slow_start:
            # Limited slow start (after RFC 3742): at most 1.5x the highest level served so far, so
            # the overshoot before the first 429 comes back stays near half the cap, not 1.5-2.5x.
            bound = max(float(self._start), SLOW_START_GAIN * self._served)
            self._limit = min(float(self.ceiling), bound, self._limit + 1.0)
            self._peak = max(self._peak, self.limit)
            return
        if self._limit < self._failed_at - 1:
            step = 1.0
        else:
            self._successes += 1
            if self._successes >= self.limit:
                self._windows += 1
                self._successes = 0
            step = (1.0 + self._windows) / self.limit
        self._limit = min(float(self.ceiling), self._limit + step)
        self._peak = max(self._peak, self.limit)

    def _shrink(self, level: int) -> None:
        # The cap is below the level at which the refused request was sent; never shrink below 1.
        # Measured from that level rather than from the limit, the first cut after slow start (whose
        # limit may be twice the cap by the time the first 429 is back) lands near the cap at once.
        self._failed_at = min(self._limit, float(level))
        self._limit = max(1.0, math.floor(self._failed_at * self._ratio))
        self._slow_start = False
        self._windows = 0
        self._successes = 0
        self._epoch += 1
        self._decreases += 1
        self._low = min(self._low, self.limit)

    def cancel(self) -> None:
        """Make every waiting and future `acquire` raise CancelledError."""
        self._cancelled.set()
        with self._cond:
            self._cond.notify_all()

    def path(self) -> LimitPath:
        with self._cond:
            return LimitPath(
                adaptive=self.adaptive,
                start=self._start,
                peak=self._peak,
                low=self._low,
                final=self.limit,
                ceiling=self.ceiling,
                throttled=self._throttled,
                decreases=self._decreases,
            )
