"""A limit on requests in flight that grows until the account shows a concurrency cap (see docs/)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from verifyctl.client.level_answers import AnswersByLevel, AnswersSinceChange
from verifyctl.client.stats import LimitPath
from verifyctl.errors import TransportError


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
        self._waiting = self._retries_waiting = self._throttled = self._epoch = self._sent = 0
        self._run = AnswersByLevel(ceiling)
        self._since_change = AnswersSinceChange()
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
        self._run.add(slot.level, refused)
        if slot.epoch != self._epoch:
            return  # sent before the last change, which already answered it
        self._since_change.add(slot.level, refused)
        if refused:
            cap = self._run.cap_under(self._top)
            if cap is not None and cap < self._top:
                self._top = cap
                self._change(max(1, min(self.limit, cap) * 3 // 4))  # and climb back, finding it again
            elif self._since_change.refused_too_often_and_higher():
                self._change(max(1, self.limit // 2))  # to see what is refused lower down
        elif self.limit < self._top and using * 2 >= self.limit:
            self.limit += 1  # doubles per round trip while the limit is in use
            self._peak = max(self._peak, self.limit)

    def _change(self, limit: int) -> None:
        self.limit = limit
        self._low = min(self._low, limit)
        self._epoch += 1
        self._since_change = AnswersSinceChange()
        self._cond.notify_all()  # requests waiting to retry a level no longer sent may go now

    def cancel(self) -> None:
        """Make every waiting and future `acquire` raise CancelledError."""
        self._cancelled.set()
        with self._cond:
            self._cond.notify_all()

    def path(self) -> LimitPath:
        with self._cond:
            dismissed = self._run.refused_up_to(self._top) if self.adaptive else 0
            now = (self._start, self._peak, self._low, self.limit, self.ceiling, self._throttled, self._epoch)
            return LimitPath(self.adaptive, *now, dismissed)
