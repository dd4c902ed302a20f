"""An adaptive (AIMD) limit on requests in flight, with a cancel switch for queued requests.

What it follows:
- Netflix concurrency-limits' AIMDLimit: grow by one per successful request while at least half
  the limit is in use, shrink multiplicatively (backoff ratio 0.9 by default) on a dropped request,
  which here is Twilio's concurrency 429 (code 20429).
- TCP congestion control (RFC 5681): the +1-per-success growth is slow start and only lasts until
  the first drop; Netflix's rule used throughout would settle near twice a hard cap, with as many
  429s as requests (measured in a simulation of a 8-request cap: 587 429s for 501 requests).
- Slow start (RFC 5681) doubles the limit per round trip, bounded (after RFC 3742's limited slow
  start) by twice the highest level at which a request succeeded, so a limit that grew on
  successes still on the wire does not run ahead of what the account has served. At 1.5x it took
  six round trips from 8 to 64 instead of three: 2% of a 2,000-service plan at 100 ms, while the
  larger overshoot against a cap costs little now that each 429 is re-queued (measured: caps of 8
  and 20 with and without Retry-After within 1.08-1.27x of the bound either way).
- Every drop is measured from the level at which the refused request was sent, not from the
  limit: slow start overshoots (the first 429 of a round comes back after its successes, each of
  which grew the limit), and that level is where the cap actually was crossed. 429s of the same
  burst that come back after the cut, sent at a lower level, lower the estimate further.
- CUBIC (RFC 9438)'s shape after a drop: climb back fast to just under the level that failed,
  plateau there, then probe above it ever faster (+1, +2, +3 ... per window without a 429), so a
  fixed cap costs one 429 now and then and a raised cap is found again.
- NewReno (RFC 6582): at most one reduction per window. Every request in flight when the cap is
  crossed comes back 429 together; only requests that started after the last change count, so one
  burst shrinks the limit once, not once per request.

Two rules of its own, because a 20429 is not a lost packet:
- A probe above a cap costs what the refused request waits: with `Retry-After: 1` a whole second
  for that request, more than a small plan takes. After a cut the plateau is held for ten times the
  wait the 429 imposed before probing again, so probing costs at most about a tenth of the time.
- Random 429s (a share of all requests, at any concurrency) must not be taken for a cap, or AIMD
  keeps 5% of them near a dozen requests in flight. A cap refuses every request sent above it and
  none below, but the account counts a few fewer of ours than we have in flight (on the wire, not
  yet counted), so just above the cap some requests pass. When a refusal is cheap (no Retry-After,
  or 0), 429s are therefore taken for a cap only when there is a level at and above which this
  window's requests were refused three times or more, and over a quarter of the time; the cut
  starts from the lowest such level. When each refusal costs its request a Retry-After, the first
  one cuts at once (a cap found costs no second refusal) and the cut is an experiment: if requests
  sent since are refused half as often as those before it, or more, the 429s are random (a cut
  stops a cap's), the limit goes back to where it was and slow start resumes; 429s with a
  Retry-After are then judged by the cheap rule. If they are rarer, it was a cap, and each later
  one cuts at once, as in AIMD. Until RATE_SAMPLE answers have come since the cut, a further 429
  is judged by the cheap rule, so random ones cannot ratchet the limit down meanwhile (they did:
  5% random 429s with Retry-After 1 held it at 1, and 200 services took 42x as long).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from verifyctl.errors import TransportError

SLOW_START_GAIN = 2.0
# Above a cap, most requests are refused, but not all: ours still on the wire, not yet counted by the
# account, make some sent a little above the cap succeed. Random 429s stay near their own rate (5%).
CAP_REFUSED_SHARE = 0.25
# ... and at least this many: slow start meets every level for the first time, and two random 429s
# among its first few requests at the top would cut a limit that no cap bounds (measured: 5% random
# 429s made 3 such cuts in 60 windows with two, 1 with three).
CAP_REFUSALS = 3
# Answers over which a 429 rate is measured before it is compared.
RATE_SAMPLE = 40
# How long the plateau after a cut holds, in multiples of the wait the cutting 429 imposed.
PROBE_HOLD_FACTOR = 10.0


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
    dismissed: int = 0  # of those, 429s at a level the account kept serving: random, not a cap


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
        self,
        ceiling: int,
        *,
        start: int = 8,
        adaptive: bool = True,
        backoff_ratio: float = 0.9,
        clock: Callable[[], float] = time.monotonic,
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
        self._clock = clock
        first = min(start, ceiling) if adaptive else ceiling
        # A float so congestion avoidance can add 1/limit per success; the gate uses its floor.
        self._limit = float(first)
        self._start = first
        self._peak = first
        self._low = first
        self._in_flight = 0
        self._retries_waiting = 0  # retries waiting for a slot, which first attempts let go first
        self._waiting = 0
        self._epoch = 0
        self._slow_start = True
        self._failed_at = 0.0  # the level of the last drop (CUBIC's W_max)
        self._cut_from = 0.0  # the level the last cut was first measured from
        self._hold_until = 0.0  # no probing above the failed level before this clock reading
        self._windows = 0  # full windows since the last drop without one
        self._successes = 0  # successes counted towards the current window
        self._served = 0  # the highest level at which a request succeeded
        # This epoch's outcomes by the level each request was sent at (index 0 unused).
        self._served_at = [0] * (ceiling + 1)
        self._refused_at = [0] * (ceiling + 1)
        self._throttled = 0
        self._dismissed = 0  # refusals of ended windows that fell below the cap the window found
        # [answered, refused] of requests sent before the first cut and since: a cut that did not make
        # 429s rarer says they are random (see _cuts_changed_nothing).
        self._before_cut = [0, 0]
        self._after_cut = [0, 0]
        self._before_cuts = 0.0  # the limit when the first cut came
        self._random = False
        self._cap_confirmed = False
        self._decreases = 0
        self._cancelled = threading.Event()
        self._cond = threading.Condition(threading.Lock())

    @property
    def limit(self) -> int:
        return max(1, int(self._limit))

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot now."""
        return self._waiting

    @property
    def cancelled(self) -> threading.Event:
        """Set once `cancel()` was called; waits on it wake at once."""
        return self._cancelled

    def acquire(self, *, retry: bool = False) -> Slot:
        """Wait for room under the limit; raise CancelledError if the run was cancelled meanwhile.

        A `retry` goes before first attempts: it has already waited out its Retry-After, and a
        request retried late is what ends a run late (its dependents cannot start without it).
        """
        with self._cond:
            if retry:
                self._retries_waiting += 1
            self._waiting += 1
            try:
                while not self._cancelled.is_set() and (
                    self._in_flight >= self.limit or (not retry and self._retries_waiting)
                ):
                    self._cond.wait()
            finally:
                self._waiting -= 1
                if retry:
                    self._retries_waiting -= 1
                    # First attempts held back for this retry may go now, if there is room.
                    if not self._retries_waiting and self._in_flight + 1 < self.limit:
                        self._cond.notify_all()
            if self._cancelled.is_set():
                raise CancelledError("not sent: the run was cancelled after another request failed")
            self._in_flight += 1
            return Slot(self._epoch, self._in_flight)

    def release(
        self,
        slot: Slot,
        *,
        succeeded: bool = False,
        throttled: bool = False,
        wait: float = 0.0,
        retry_after: float | None = None,
    ) -> None:
        """Give the slot back, growing the limit on success and shrinking it on a concurrency 429.

        `wait` is how long a throttled request waits before it is sent again, `retry_after` the
        server's Retry-After on it (None without one).
        """
        with self._cond:
            using = self._in_flight
            self._in_flight -= 1
            if throttled:
                self._throttled += 1
            if self.adaptive:
                costly = retry_after is not None and retry_after > 0
                self._adapt(slot, using, succeeded=succeeded, throttled=throttled, wait=wait, costly=costly)
            if self._retries_waiting:
                self._cond.notify_all()  # one woken first attempt would go back to sleep: wake the retry
            else:
                self._cond.notify()

    def _adapt(
        self, slot: Slot, using: int, *, succeeded: bool, throttled: bool, wait: float, costly: bool
    ) -> None:
        # Levels beyond the ceiling cannot occur (the gate never admits more); clamp for safety.
        level = min(slot.level, self.ceiling)
        if throttled or succeeded:
            tally = self._after_cut if slot.epoch else self._before_cut
            tally[0] += 1
            tally[1] += throttled
        if throttled and costly and slot.epoch and not (self._random or self._cap_confirmed):
            # The first cut is an experiment: until enough answers came since, a 429 with a
            # Retry-After is judged as a cheap one (no second cut at once, no ratchet to 1).
            verdict = self._cut_verdict()
            if verdict is None or verdict:
                costly = False
            if verdict:
                self._take_429s_for_random()
            elif verdict is not None:
                self._cap_confirmed = True
        if slot.epoch != self._epoch:
            # Sent before the last cut: the burst that caused it. A refusal at a lower level than the
            # cut assumed says the cap is lower still, and corrects that cut (not a new one); only
            # within the cut's own margin, so a random 429 far below cannot drag the limit down.
            burst = slot.epoch == self._epoch - 1
            if throttled and burst and self._cut_from * self._ratio <= level < self._failed_at:
                self._failed_at = float(level)
                self._limit = min(self._limit, max(1.0, math.floor(level * self._ratio)))
                self._low = min(self._low, self.limit)
            return
        if throttled:
            self._refused_at[level] += 1
            capped_at = level if costly and not self._random else self._cap_level()
            if capped_at is not None:
                self._shrink(capped_at, wait)
        elif succeeded:
            self._served_at[level] += 1
            if using * 2 >= self.limit:
                self._grow(level)

    def _cut_verdict(self) -> bool | None:
        """Whether the 429s are random: requests sent since the first cut are refused half as often
        as those sent before it, or more (None until RATE_SAMPLE answers came since).

        Under a cap the cut makes refusals stop (or nearly: a request or two the account counts late);
        random 429s come at their own rate whatever the limit. The rate before the cut is taken over
        RATE_SAMPLE answers at least.
        """
        answered, refused = self._after_cut
        if answered < RATE_SAMPLE:
            return None
        before = self._before_cut[1] / max(self._before_cut[0], RATE_SAMPLE)
        return refused / answered >= before / 2

    def _take_429s_for_random(self) -> None:
        """From now on, 429s with a Retry-After are judged as cheap ones are; the limit climbs back."""
        self._random = True
        self._limit = max(self._limit, self._before_cuts)
        self._failed_at = 0.0
        self._hold_until = 0.0
        self._slow_start = True

    def _cap_level(self) -> int | None:
        """The lowest refused level at and above which this epoch saw 3+ refusals, over a quarter of all.

        None when there is no such level: the 429s fell where the account keeps serving (random).
        """
        refused = served = 0
        lowest = None
        for level in range(self.ceiling, 0, -1):
            refused += self._refused_at[level]
            served += self._served_at[level]
            # Only a refused level can be where the cap was crossed; below it there may be no answers yet.
            crossed = refused >= CAP_REFUSALS and refused > CAP_REFUSED_SHARE * (refused + served)
            if crossed and self._refused_at[level]:
                lowest = level
        return lowest

    def _grow(self, level: int) -> None:
        self._served = max(self._served, level)
        if self._slow_start:
            # Limited slow start (after RFC 3742): at most twice the highest level served so far, so
            # the overshoot before the first 429 comes back stays near the cap, not 2-4x it.
            bound = max(float(self._start), SLOW_START_GAIN * self._served)
            self._limit = min(float(self.ceiling), bound, self._limit + 1.0)
            self._peak = max(self._peak, self.limit)
            return
        if self._limit < self._failed_at - 1:
            step = 1.0
        else:
            if self._clock() < self._hold_until:
                return  # the plateau: a probe now would cost more than it could win
            self._successes += 1
            if self._successes >= self.limit:
                self._windows += 1
                self._successes = 0
            step = (1.0 + self._windows) / self.limit
        self._limit = min(float(self.ceiling), self._limit + step)
        self._peak = max(self._peak, self.limit)

    def _shrink(self, level: int, wait: float) -> None:
        # The cap is below the level at which the refused request was sent; never shrink below 1.
        # Measured from that level rather than from the limit, the first cut after slow start (whose
        # limit may be twice the cap by the time the first 429 is back) lands near the cap at once.
        if not self._decreases:
            self._before_cuts = self._limit
        self._failed_at = self._cut_from = min(self._limit, float(level))
        self._limit = max(1.0, math.floor(self._failed_at * self._ratio))
        # Once 429s are known to be random, a cut by the cheap rule does not hold the plateau.
        self._hold_until = 0.0 if self._random else self._clock() + PROBE_HOLD_FACTOR * wait
        self._slow_start = False
        self._windows = 0
        self._successes = 0
        # A cap refuses nothing below it: this window's refusals under the cut level were random.
        self._dismissed += sum(self._refused_at[:level])
        self._epoch += 1
        self._decreases += 1
        self._low = min(self._low, self.limit)
        self._served_at = [0] * (self.ceiling + 1)
        self._refused_at = [0] * (self.ceiling + 1)

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
                # This window's refusals have not cut the limit (yet): random so far.
                dismissed=self._dismissed + sum(self._refused_at),
            )
