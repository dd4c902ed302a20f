"""The adaptive concurrency limit: slow start, one cut per window, recovery under the cap, cancel."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import pytest

from verifyctl.client.limiter import CancelledError, ConcurrencyLimiter, Slot


def fill(limiter: ConcurrencyLimiter, count: int) -> list[Slot]:
    return [limiter.acquire() for _ in range(count)]


def test_starts_at_the_start_value_below_the_ceiling() -> None:
    assert ConcurrencyLimiter(64, start=8).limit == 8
    assert ConcurrencyLimiter(4, start=8).limit == 4


def test_fixed_mode_stays_at_the_ceiling_whatever_happens() -> None:
    limiter = ConcurrencyLimiter(10, start=2, adaptive=False)
    slots = fill(limiter, 10)
    limiter.release(slots[0], throttled=True)
    limiter.release(slots[1], succeeded=True)
    path = limiter.path()
    assert (limiter.limit, path.peak, path.low, path.throttled, path.decreases) == (10, 10, 10, 1, 0)


def test_slow_start_grows_by_one_per_success_while_half_the_limit_is_used() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    slots = fill(limiter, 8)
    for slot in reversed(slots[4:]):
        # 8, 7, 6 in use: at least half of 8, 9, 10 (+1 each); then 5 is under half of 11
        limiter.release(slot, succeeded=True)
    assert limiter.limit == 11
    for slot in slots[:4]:
        limiter.release(slot, succeeded=True)  # 4, 3, 2, 1 in use: no growth
    assert limiter.limit == 11


def test_slow_start_never_runs_past_twice_the_highest_level_served() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    slots = fill(limiter, 8)
    for slot in slots[:4]:
        limiter.release(slot, succeeded=True)  # served at levels 1 to 4 only: at most 8
    assert limiter.limit == 8
    limiter.release(slots[7], succeeded=True)  # served at 8: room up to 16, +1 for this success
    assert limiter.limit == 9


def test_slow_start_stays_within_twice_the_highest_level_served() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    for _ in range(4):
        slots = fill(limiter, limiter.limit)
        served = len(slots)
        for slot in reversed(slots):
            limiter.release(slot, succeeded=True)
        assert limiter.limit <= 2 * served
    assert limiter.limit > 20  # still about x1.4 per round trip


def test_growth_stops_at_the_ceiling() -> None:
    limiter = ConcurrencyLimiter(9, start=8)
    for slot in reversed(fill(limiter, 8)):
        limiter.release(slot, succeeded=True)
    assert limiter.limit == 9
    assert limiter.path().peak == 9


def test_a_burst_of_429s_cuts_the_limit_once_from_the_lowest_level_refused() -> None:
    limiter = ConcurrencyLimiter(64, start=20)
    slots = fill(limiter, 20)  # sent at levels 1 to 20
    limiter.release(slots[14], throttled=True)  # refusals at 15 and 18: not yet a cap
    limiter.release(slots[17], throttled=True)
    assert limiter.limit == 20
    limiter.release(slots[16], throttled=True)  # a third, at 17: the cap is under 15
    assert limiter.limit == 13  # 0.9 x 15
    # The rest of the burst was sent before the cut: 14 and 13 are within the cut's margin (13.5 to
    # 15) and lower the estimate once more; 19 and 20 are above it and change nothing.
    for slot in (slots[13], slots[12], *slots[18:]):
        limiter.release(slot, throttled=True)
    assert limiter.limit == 12  # 0.9 x 14
    path = limiter.path()
    assert (path.throttled, path.decreases, path.low, path.dismissed) == (7, 1, 12, 0)
    for slot in slots[:4]:
        limiter.release(slot, succeeded=True)  # sent before the cut: no growth
    assert limiter.limit == 12


def test_a_429_at_a_level_the_account_keeps_serving_is_random_and_keeps_the_limit() -> None:
    limiter = ConcurrencyLimiter(16, start=16)
    for refused in (16, 4, 10):  # one in 16 refused, at a level served in other rounds
        for slot in fill(limiter, 16):
            limiter.release(slot, succeeded=slot.level != refused, throttled=slot.level == refused)
    path = limiter.path()
    assert (limiter.limit, path.decreases, path.throttled, path.dismissed) == (16, 0, 3, 3)


def test_a_refusal_with_a_retry_after_cuts_at_once_from_its_own_level() -> None:
    limiter = ConcurrencyLimiter(64, start=20)
    slots = fill(limiter, 20)
    limiter.release(slots[15], throttled=True, wait=1.0, retry_after=1.0)  # each costs a second
    assert limiter.limit == 14  # 0.9 x 16
    # Refusals that are cheap (no Retry-After, or 0) wait for three before they are taken for a cap.
    cheap = ConcurrencyLimiter(64, start=20)
    slots = fill(cheap, 20)
    cheap.release(slots[15], throttled=True, wait=0.02, retry_after=0.0)
    assert cheap.limit == 20


def test_a_refusal_far_below_the_cut_is_not_taken_for_the_burst() -> None:
    limiter = ConcurrencyLimiter(64, start=20)
    slots = fill(limiter, 20)
    for slot in slots[17:]:
        limiter.release(slot, throttled=True)  # cut from 18: 16
    limiter.release(slots[4], throttled=True)  # sent at 5, before the cut: random, not the cap
    assert limiter.limit == 16
    assert limiter.path().dismissed == 0  # 5 was refused in the window before the cut


def window(limiter: ConcurrencyLimiter) -> None:
    """As many requests as the limit allows, all answered."""
    for slot in fill(limiter, limiter.limit):
        limiter.release(slot, succeeded=True)


def cut_at_18(limiter: ConcurrencyLimiter, wait: float = 0.0) -> None:
    """Refusals at 20, 19 and 18 (the cap is 17), the rest of that window served."""
    slots = fill(limiter, 20)
    for slot in reversed(slots[-3:]):
        limiter.release(slot, throttled=True, wait=wait)
    for slot in slots[:-3]:
        limiter.release(slot, succeeded=True)  # sent before the cut: no growth


def test_the_limit_regrows_fast_to_just_under_the_failed_level_then_slowly() -> None:
    limiter = ConcurrencyLimiter(64, start=20)
    cut_at_18(limiter)
    assert limiter.limit == 16  # 0.9 x 18, the lowest level of the three refusals
    window(limiter)
    assert limiter.limit == 17  # +1 per success up to just under the level that failed, then slower
    seen = []
    for _ in range(8):
        window(limiter)
        seen.append(limiter.limit)
    steps = [after - before for before, after in zip([17, *seen], seen, strict=False)]
    assert seen[-1] > 18  # probing above the old level ...
    assert steps[-1] > steps[0]  # ... faster as windows pass without a 429


def test_after_a_cut_with_a_retry_after_the_plateau_holds_ten_times_that_wait() -> None:
    now = [100.0]
    limiter = ConcurrencyLimiter(64, start=20, clock=lambda: now[0])
    cut_at_18(limiter, wait=1.0)  # each refused request waits a second: a probe costs that much
    for _ in range(20):
        window(limiter)
    assert limiter.limit == 17  # back just under the failed level, and no probing above it
    now[0] += 10.0
    for _ in range(8):
        window(limiter)
    assert limiter.limit > 18  # after 10 s, probing again finds a raised cap


def simulate(
    limiter: ConcurrencyLimiter, rounds: int, cap: int, random_rate: float, lag: int = 3
) -> list[int]:
    """Saturated rounds: fill to the limit, answer in a shuffled order; the limit after each round.

    The account counts up to `lag` fewer of ours than we have in flight (on the wire, not yet
    counted), so some requests sent a little above the cap still succeed.
    """
    draw = random.Random(17)
    limits = []
    for _ in range(rounds):
        slots = fill(limiter, limiter.limit)
        draw.shuffle(slots)
        for slot in slots:
            counted = slot.level - draw.randint(0, lag)
            refused = counted > cap or draw.random() < random_rate
            limiter.release(slot, succeeded=not refused, throttled=refused)
        limits.append(limiter.limit)
    return limits


def test_against_a_hard_cap_the_limit_settles_at_the_cap_with_few_429s() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    limits = simulate(limiter, 60, cap=20, random_rate=0.0)
    # Probing finds the cap over and over: a band around it, a little above for the lag.
    assert min(limits[10:]) >= 16 and max(limits[10:]) <= 26
    assert limiter.path().throttled < 60  # of about 1,200 requests: under 5%


def test_random_429s_without_a_cap_leave_the_limit_near_the_ceiling() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    limits = simulate(limiter, 60, cap=1000, random_rate=0.05)
    assert sorted(limits[20:])[20] >= 56  # the median of the last 40 rounds
    assert limiter.path().dismissed > 0


def test_waiting_beyond_the_limit_and_cancel() -> None:
    limiter = ConcurrencyLimiter(2, start=2)
    held = fill(limiter, 2)
    outcome: list[BaseException | Slot] = []
    started = threading.Event()

    def wait_for_a_slot() -> None:
        started.set()
        try:
            outcome.append(limiter.acquire())
        except CancelledError as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait_for_a_slot)
    waiter.start()
    started.wait()
    limiter.cancel()
    waiter.join(timeout=10)
    assert not waiter.is_alive()
    assert isinstance(outcome[0], CancelledError)
    with pytest.raises(CancelledError, match="cancelled after another request failed"):
        limiter.acquire()
    for slot in held:
        limiter.release(slot, succeeded=True)


def test_a_released_slot_lets_a_waiter_in() -> None:
    limiter = ConcurrencyLimiter(1, start=1)
    first = limiter.acquire()
    got: list[Slot] = []
    waiter = threading.Thread(target=lambda: got.append(limiter.acquire()))
    waiter.start()
    limiter.release(first, succeeded=True)
    waiter.join(timeout=10)
    assert len(got) == 1


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "the waiters never queued"
        time.sleep(0.001)


def test_a_retry_gets_the_next_slot_before_a_first_attempt_that_queued_earlier() -> None:
    limiter = ConcurrencyLimiter(1, start=1)
    held = limiter.acquire()
    order: list[str] = []

    def take(name: str, retry: bool) -> None:
        slot = limiter.acquire(retry=retry)
        order.append(name)
        limiter.release(slot, succeeded=True)

    first = threading.Thread(target=take, args=("first attempt", False))
    first.start()
    wait_until(lambda: limiter.waiting == 1)
    retried = threading.Thread(target=take, args=("retry", True))
    retried.start()
    wait_until(lambda: limiter.waiting == 2)
    limiter.release(held, succeeded=True)
    for thread in (first, retried):
        thread.join(timeout=10)
    assert order == ["retry", "first attempt"]


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"ceiling": 0}, "ceiling must be at least 1"),
        ({"ceiling": 4, "start": 0}, "starting concurrency must be at least 1"),
        ({"ceiling": 4, "backoff_ratio": 1.0}, "backoff_ratio must be between 0 and 1"),
    ],
)
def test_nonsensical_settings_are_refused(kwargs: dict[str, float], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        ConcurrencyLimiter(**kwargs)  # type: ignore[arg-type]


def costly_window(limiter: ConcurrencyLimiter, refused_levels: set[int]) -> None:
    """One window at the limit, the requests sent at `refused_levels` answered 429 with Retry-After 1."""
    for slot in fill(limiter, limiter.limit):
        refused = slot.level in refused_levels
        limiter.release(
            slot,
            succeeded=not refused,
            throttled=refused,
            wait=1.0 if refused else 0.0,
            retry_after=1.0 if refused else None,
        )


def test_429s_with_a_retry_after_that_a_cut_does_not_stop_are_taken_for_random() -> None:
    now = [0.0]
    limiter = ConcurrencyLimiter(64, start=20, clock=lambda: now[0])
    costly_window(limiter, {20})  # before the cut: 1 refusal in 20 answers (taken over 40)
    assert limiter.limit == 18  # cut at once, and held
    for _ in range(3):
        costly_window(limiter, {5})  # since: 1 in 18, no rarer: not a cap's refusals
    path = limiter.path()
    assert path.decreases == 1
    assert limiter.limit >= 20  # back where the cuts started, and climbing again
    for _ in range(4):
        costly_window(limiter, {7})
    assert limiter.limit > 22 and limiter.path().decreases == 1  # still climbing, no further cut


def test_429s_with_a_retry_after_that_a_cut_stops_are_a_cap_and_keep_cutting() -> None:
    now = [0.0]
    limiter = ConcurrencyLimiter(64, start=20, clock=lambda: now[0])
    costly_window(limiter, {15, 16, 17, 18, 19, 20})  # the burst above a cap of 14
    assert limiter.limit <= 14
    for _ in range(4):
        costly_window(limiter, set())  # under the cap: no refusal since the cut
    held = limiter.limit
    assert held <= 14  # the plateau holds under the level refused
    costly_window(limiter, {held})  # the cap comes down (another client): cut at once
    assert limiter.limit < held and limiter.path().decreases == 2
