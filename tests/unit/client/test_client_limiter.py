"""The adaptive limit's rules: growth while in use, a cap found from a step in refusals by level, cancel."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

import pytest

from verifyctl.client.level_answers import CAP_REFUSALS
from verifyctl.client.limiter import CancelledError, ConcurrencyLimiter, Slot


def fill(limiter: ConcurrencyLimiter, count: int) -> list[Slot]:
    return [limiter.acquire() for _ in range(count)]


def test_starts_at_the_start_value_below_the_ceiling() -> None:
    assert ConcurrencyLimiter(64, start=16).limit == 16
    assert ConcurrencyLimiter(4, start=16).limit == 4


def test_fixed_mode_stays_at_the_ceiling_whatever_happens() -> None:
    limiter = ConcurrencyLimiter(10, start=2, adaptive=False)
    slots = fill(limiter, 10)
    for slot in slots[5:]:
        limiter.release(slot, throttled=True)
    for slot in slots[:5]:
        limiter.release(slot, succeeded=True)
    path = limiter.path()
    assert (limiter.limit, path.peak, path.low, path.throttled, path.decreases) == (10, 10, 10, 5, 0)


def test_grows_by_one_per_success_while_half_the_limit_is_in_use() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    slots = fill(limiter, 8)
    for slot in reversed(slots[4:]):
        # 8, 7, 6 in use: at least half of 8, 9, 10 (+1 each); then 5 is under half of 11
        limiter.release(slot, succeeded=True)
    assert limiter.limit == 11
    for slot in slots[:4]:
        limiter.release(slot, succeeded=True)  # 4, 3, 2, 1 in use: no growth
    assert limiter.limit == 11


def test_growth_doubles_per_round_trip_and_stops_at_the_ceiling() -> None:
    limiter = ConcurrencyLimiter(40, start=8)
    on_the_wire = deque(fill(limiter, 8))
    seen = []
    for _ in range(3):
        # A round trip: each answer frees its slot, and the room made is filled at once.
        for _ in range(len(on_the_wire)):
            limiter.release(on_the_wire.popleft(), succeeded=True)
            while len(on_the_wire) < limiter.limit:
                on_the_wire.append(limiter.acquire())
        seen.append(limiter.limit)
    assert seen == [16, 32, 40]
    assert limiter.path().peak == 40


def test_a_level_is_what_was_on_the_wire_when_sent_less_what_was_refused_for_concurrency() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    first, second, third = fill(limiter, 3)
    limiter.release(first, throttled=True)  # the account never counted it while it held the others
    limiter.release(second, succeeded=True)  # served: it was counted, whenever it is answered
    later = limiter.acquire()  # sent after them: it does not raise their levels
    assert (third.level, later.level) == (2, 2)


def test_waiting_to_retry_ends_once_the_limit_is_lowered_after_the_refused_request() -> None:
    limiter = ConcurrencyLimiter(64, start=64)
    slots = fill(limiter, 64)
    refused, others = slots[0], slots[1:]
    limiter.release(refused, throttled=True)
    assert not limiter.lowered_since(refused)
    waited: list[BaseException | None] = []

    def wait() -> None:
        try:
            limiter.wait_to_retry(refused, 600)  # its Retry-After, far beyond the test's patience
            waited.append(None)
        except CancelledError as exc:
            waited.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    for slot in others[:CAP_REFUSALS]:
        limiter.release(slot, throttled=True)  # enough 429s to halve the limit
    waiter.join(timeout=10)
    assert not waiter.is_alive() and waited == [None]
    assert limiter.lowered_since(refused) and limiter.limit == 32
    limiter.wait_to_retry(refused, 600)  # lowered already: no wait at all
    for slot in others[CAP_REFUSALS:]:
        limiter.release(slot, succeeded=True)


def test_waiting_to_retry_ends_on_cancel() -> None:
    limiter = ConcurrencyLimiter(4, start=4)
    refused = limiter.acquire()
    limiter.release(refused, throttled=True)
    outcome: list[BaseException] = []

    def wait() -> None:
        try:
            limiter.wait_to_retry(refused, 600)
        except CancelledError as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    limiter.cancel()
    waiter.join(timeout=10)
    assert not waiter.is_alive()
    assert "not retried: the run was cancelled" in str(outcome[0])


def saturated(limiter: ConcurrencyLimiter, answers: int, refused: Callable[[Slot, int], bool]) -> None:
    """Keep the limit full for `answers` answers; answer N to `slot` is a 429 when `refused(slot, N)`."""
    on_the_wire = deque(fill(limiter, limiter.limit))
    for count in range(answers):
        slot = on_the_wire.popleft()
        no = refused(slot, count)
        limiter.release(slot, succeeded=not no, throttled=no)
        while len(on_the_wire) < limiter.limit:
            on_the_wire.append(limiter.acquire())
    for slot in on_the_wire:
        limiter.release(slot, succeeded=True)


def test_refusals_that_start_above_a_level_are_a_cap_and_the_limit_stays_under_it() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    saturated(limiter, 400, lambda slot, _: slot.level > 20)
    path = limiter.path()
    assert 10 <= limiter.limit <= 20 and path.decreases >= 1
    assert path.peak > 20  # it did go above


def test_refusals_at_every_level_alike_are_not_a_cap() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    saturated(limiter, 2000, lambda _, count: count % 3 == 0)  # one answer in three, wherever sent
    path = limiter.path()
    assert (limiter.limit, path.decreases) == (64, 0)
    assert path.dismissed == path.throttled > 600


def test_more_refused_than_served_halves_the_limit_to_look_below() -> None:
    limiter = ConcurrencyLimiter(64, start=64)
    slots = fill(limiter, 64)  # all at one level: nothing to compare, so no cap is found yet
    for slot in slots[: CAP_REFUSALS + 1]:
        limiter.release(slot, throttled=True)
    path = limiter.path()
    assert (limiter.limit, path.decreases, path.dismissed) == (32, 1, CAP_REFUSALS + 1)  # no cap found


def test_refusals_spread_over_every_level_do_not_halve_the_limit() -> None:
    """Random 429s fall alike at every level: 8 of 16 refused, as likely low as high, is no cap."""
    limiter = ConcurrencyLimiter(64, start=16)
    slots = fill(limiter, 16)  # levels 1 to 16
    refused, served = slots[0::2], slots[1::2]  # levels 1, 3, ... 15 refused; 2, 4, ... 16 served
    for slot in served:
        limiter.release(slot, succeeded=True)
    for slot in reversed(refused):  # the last sent first: no level still on the wire moves
        limiter.release(slot, throttled=True)
    assert limiter.limit >= 16 and limiter.path().decreases == 0


def test_answers_that_are_neither_success_nor_429_change_nothing() -> None:
    limiter = ConcurrencyLimiter(64, start=8)
    for slot in fill(limiter, 8):
        limiter.release(slot)  # a 500 or a transport failure: no evidence either way
    assert limiter.limit == 8


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
        ({"ceiling": 0}, "ceiling and start must be at least 1, not 0 and 16"),
        ({"ceiling": 4, "start": 0}, "ceiling and start must be at least 1, not 4 and 0"),
    ],
)
def test_nonsensical_settings_are_refused(kwargs: dict[str, float], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        ConcurrencyLimiter(**kwargs)  # type: ignore[arg-type]
