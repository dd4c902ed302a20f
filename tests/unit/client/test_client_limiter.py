"""The adaptive concurrency limit: slow start, one cut per window, recovery under the cap, cancel."""

from __future__ import annotations

import threading

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


def test_slow_start_stays_within_half_again_the_highest_level_served() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    for _ in range(4):
        slots = fill(limiter, limiter.limit)
        served = len(slots)
        for slot in reversed(slots):
            limiter.release(slot, succeeded=True)
        assert limiter.limit <= 1.5 * served
    assert limiter.limit > 20  # still about x1.4 per round trip


def test_growth_stops_at_the_ceiling() -> None:
    limiter = ConcurrencyLimiter(9, start=8)
    for slot in reversed(fill(limiter, 8)):
        limiter.release(slot, succeeded=True)
    assert limiter.limit == 9
    assert limiter.path().peak == 9


def test_a_burst_of_429s_cuts_the_limit_once_from_the_level_that_was_refused() -> None:
    limiter = ConcurrencyLimiter(64, start=20)
    slots = fill(limiter, 20)  # sent at levels 1 to 20
    for slot in slots[12:]:
        limiter.release(slot, throttled=True)  # a cap of 12: the requests sent at 13 to 20 are refused
    # 0.9 x 13, the level of the first refusal back; the other 7 were sent before the cut.
    assert limiter.limit == 11
    path = limiter.path()
    assert (path.throttled, path.decreases, path.low) == (8, 1, 11)
    for slot in slots[:4]:
        limiter.release(slot, succeeded=True)  # sent before the cut: no growth
    later = limiter.acquire()  # sent at level 9
    limiter.release(later, throttled=True)  # sent after the cut: a new signal
    assert limiter.limit == 8  # 0.9 x 9


def window(limiter: ConcurrencyLimiter) -> None:
    """As many requests as the limit allows, all answered."""
    for slot in fill(limiter, limiter.limit):
        limiter.release(slot, succeeded=True)


def test_the_limit_regrows_fast_to_just_under_the_failed_level_then_slowly() -> None:
    limiter = ConcurrencyLimiter(64, start=20)
    slots = fill(limiter, 20)
    limiter.release(slots[-1], throttled=True)  # refused at 20: 18
    for slot in slots[:-1]:
        limiter.release(slot, succeeded=True)  # sent before the cut: no growth
    assert limiter.limit == 18
    window(limiter)
    assert limiter.limit == 19  # +1 per success up to just under the level that failed
    window(limiter)
    assert limiter.limit == 19  # then a fraction per success: the plateau
    seen = []
    for _ in range(8):
        window(limiter)
        seen.append(limiter.limit)
    steps = [after - before for before, after in zip([19, *seen], seen, strict=False)]
    assert seen[-1] > 20  # probing above the old level ...
    assert steps[-1] > steps[0]  # ... faster as windows pass without a 429


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
