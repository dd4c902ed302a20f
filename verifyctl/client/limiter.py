"""A limit on requests in flight that grows until the account shows a concurrency cap (see docs/)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from verifyctl.client.stats import LimitPath
from verifyctl.errors import TransportError

# A cap is taken as found when, at and above some level, at least CAP_REFUSALS requests were refused
# and their share is CAP_DEVIATIONS standard errors above the share refused below that level.
CAP_REFUSALS = 8
CAP_DEVIATIONS = 3.5


class CancelledError(TransportError):
    """The run was cancelled (another request failed for good) before this request was sent."""


@dataclass(eq=False)
class Slot:
    """A permit to send one request: `level` is what the account held when it arrived, as seen here.

    That is the requests on the wire when it was sent, itself included, less those of them refused
    for concurrency meanwhile (the account does not count a request it refuses).
    """

    epoch: int  # changes of the limit before it was sent
    level: int
    sent: int  # its place in the order of sending


class ConcurrencyLimiter:
    """Gates requests at a limit between 1 and `ceiling`; fixed at `ceiling` unless `adaptive`."""

    def __init__(self, ceiling: int, *, start: int = 16, adaptive: bool = True) -> None:
        if ceiling < 1 or start < 1:
            raise ValueError(
                f"the concurrency ceiling and start must be at least 1, not {ceiling} and {start}"
            )
        self.ceiling = ceiling
        self.adaptive = adaptive
        self.limit = self._start = self._peak = self._low = min(start, ceiling) if adaptive else ceiling
        self._top = ceiling  # the limit's bound: just under the cap, once one is found
        self._on_the_wire: set[Slot] = set()
        self._waiting = self._retries_waiting = self._throttled = self._epoch = 0
        self._answered = self._refused_since = 0  # answers to requests sent since the last change
        self._levels_served = self._levels_refused = 0  # their levels added up, served and refused
        # Answers over the run by level (index 0 unused).
        self._served = [0] * (ceiling + 1)
        self._refused = [0] * (ceiling + 1)
        self._sent = 0
        self._cancelled = threading.Event()
        self._cond = threading.Condition(threading.Lock())

    @property
    def waiting(self) -> int:
        return self._waiting  # requests waiting for a slot now

    @property
    def cancelled(self) -> threading.Event:
        return self._cancelled  # set by cancel(); waits on it wake at once

    def acquire(self, *, retry: bool = False) -> Slot:
        """Wait for room under the limit, retries first; raise CancelledError once the run is cancelled."""
        with self._cond:
            self._waiting += 1
            self._retries_waiting += retry
            try:
                while not self._cancelled.is_set() and (
                    len(self._on_the_wire) >= self.limit or (not retry and self._retries_waiting)
                ):
                    self._cond.wait()
            finally:
                self._waiting -= 1
                self._retries_waiting -= retry
                if retry and not self._retries_waiting:
                    self._cond.notify_all()  # first attempts held back for the retries may go now
            if self._cancelled.is_set():
                raise CancelledError("not sent: the run was cancelled after another request failed")
            self._sent += 1
            slot = Slot(self._epoch, len(self._on_the_wire) + 1, self._sent)
            self._on_the_wire.add(slot)
            return slot

    def release(self, slot: Slot, *, succeeded: bool = False, throttled: bool = False) -> None:
        """Give the slot back: a success may grow the limit, a concurrency 429 may show a cap."""
        with self._cond:
            using = len(self._on_the_wire)
            self._on_the_wire.discard(slot)
            if throttled:
                for other in self._on_the_wire:
                    if other.sent > slot.sent:
                        other.level -= 1  # the account did not count this one while it held them
            self._throttled += throttled
            if self.adaptive and (succeeded or throttled):
                self._learn(slot, using, throttled)
            self._cond.notify_all() if self._retries_waiting else self._cond.notify()

    def lowered_since(self, slot: Slot) -> bool:
        """Whether the limit was lowered after `slot` was sent."""
        with self._cond:
            return slot.epoch != self._epoch

    def wait_to_retry(self, slot: Slot, seconds: float) -> None:
        """Wait `seconds` to retry the concurrency 429 `slot` got, or until the limit is lowered after it."""
        deadline = time.monotonic() + seconds
        with self._cond:
            while slot.epoch == self._epoch and not self._cancelled.is_set():
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    break
            if self._cancelled.is_set():
                raise CancelledError("not retried: the run was cancelled after another request failed")

    def _learn(self, slot: Slot, using: int, refused: bool) -> None:
        (self._refused if refused else self._served)[min(slot.level, self.ceiling)] += 1
        if slot.epoch != self._epoch:
            return  # sent before the last change, which already answered it
        self._answered += 1
        self._refused_since += refused
        if refused:
            self._levels_refused += slot.level
        else:
            self._levels_served += slot.level
        if refused:
            cap = self._cap()
            if cap is not None and cap < self._top:
                self._top = cap
                self._change(max(1, min(self.limit, cap) * 3 // 4))  # and climb back, finding it again
            elif (
                self._refused_since >= CAP_REFUSALS
                and self._refused_since * 5 > self._answered * 2
                and self._refused_higher()
            ):
                self._change(max(1, self.limit // 2))  # to see what is refused lower down
        elif self.limit < self._top and using * 2 >= self.limit:
            self.limit += 1  # doubles per round trip while the limit is in use
            self._peak = max(self._peak, self.limit)

    def _refused_higher(self) -> bool:
        """Whether the 429s since the last change met higher levels than the successes, on average, as a
        cap's do; random ones fall alike at every level."""
        served = self._answered - self._refused_since
        if not served:
            return True
        return self._levels_refused * served > self._levels_served * self._refused_since

    def _change(self, limit: int) -> None:
        self.limit = limit
        self._low = min(self._low, limit)
        self._epoch += 1
        self._answered = self._refused_since = 0
        self._levels_served = self._levels_refused = 0
        self._cond.notify_all()  # requests waiting to retry a level no longer sent may go now

    def _cap(self) -> int | None:
        """The level under the clearest step up in refusals at or below `top`, if one is clear enough."""
        best, best_score = None, CAP_DEVIATIONS
        sent_below, refused_below = sum(self._served[: self._top + 1]), sum(self._refused[: self._top + 1])
        sent_below += refused_below
        sent_above = refused_above = 0
        for level in range(self._top, 1, -1):
            sent_above += self._served[level] + self._refused[level]
            refused_above += self._refused[level]
            sent_below -= self._served[level] + self._refused[level]
            refused_below -= self._refused[level]
            if refused_above < CAP_REFUSALS or not self._refused[level] or sent_below <= refused_below:
                continue
            # A two-proportion z-test: few answers on either side are weak evidence.
            pooled = (refused_above + refused_below) / (sent_above + sent_below)
            spread = math.sqrt(pooled * (1 - pooled) * (1 / sent_above + 1 / sent_below))
            score = (refused_above / sent_above - refused_below / sent_below) / spread
            if score >= best_score:
                # Those refused below the step are refused at any level: the account counted them,
                # though the levels leave them out, so the cap is higher by their share.
                best, best_score = int((level - 1) / (1 - refused_below / sent_below)), score
        return best

    def cancel(self) -> None:
        """Make every waiting and future `acquire` raise CancelledError."""
        self._cancelled.set()
        with self._cond:
            self._cond.notify_all()

    def path(self) -> LimitPath:
        with self._cond:
            dismissed = sum(self._refused[: self._top + 1]) if self.adaptive else 0
            now = (self._start, self._peak, self._low, self.limit, self.ceiling, self._throttled, self._epoch)
            return LimitPath(self.adaptive, *now, dismissed)
