"""The adaptive limit against simulated accounts (a cap, random 429s, both): medians of five seeds.

The targets are issue 27's. The limiter before the last one missed six of them here: a cap of 4
without Retry-After (3.7x the bound), random 429s (13.2x and 2.5x the fixed limit), a cap under random
429s (4.3x and 2.4x the cap's fixed limit) and a 300-request run (1.44x the bound). The last one,
whose levels were the most requests in flight during a request's life, missed a short run at a cap of
20 with Retry-After 1 (2.09x the bound).
"""

from __future__ import annotations

import statistics

import pytest

from tests.unit.client.accounts import Account, Run, bound, simulate
from verifyctl.client.limiter import ConcurrencyLimiter

REQUESTS = 1000
CEILING = 64
SEEDS = range(5)


def runs(account: Account, *, fixed_at: int | None = None, requests: int = REQUESTS) -> list[Run]:
    """One run per seed, adaptive up to CEILING or (with `fixed_at`) at that fixed limit."""
    return [
        simulate(ConcurrencyLimiter(fixed_at or CEILING, adaptive=fixed_at is None), account, requests, seed)
        for seed in SEEDS
    ]


def median_ratio(adaptive: list[Run], fixed: list[Run]) -> float:
    return statistics.median(a.seconds / f.seconds for a, f in zip(adaptive, fixed, strict=True))


@pytest.mark.parametrize(
    ("cap", "retry_after"), [(4, None), (4, 1.0), (8, None), (8, 1.0), (20, None), (20, 1.0)]
)
def test_under_a_cap_no_request_fails_and_the_run_stays_near_the_capped_bound(
    cap: int, retry_after: float | None
) -> None:
    adaptive = runs(Account(cap=cap, retry_after=retry_after))
    assert sum(run.failures for run in adaptive) == 0
    assert statistics.median(run.seconds for run in adaptive) <= 1.35 * bound(REQUESTS, cap)


@pytest.mark.parametrize("cap", [4, 8, 20])
def test_a_short_run_under_a_cap_with_retry_after_pays_the_wait_about_once(cap: int) -> None:
    # 500 requests at a cap of 20 take 1.25 s: a second's Retry-After paid again by every overshoot
    # (or by the retries of the first, sent back over the cap) would double that.
    adaptive = runs(Account(cap=cap, retry_after=1.0), requests=500)
    assert sum(run.failures for run in adaptive) == 0
    assert statistics.median(run.seconds for run in adaptive) <= 1.35 * bound(500, cap)


@pytest.mark.parametrize("retry_after", [0.0, 1.0])
def test_random_429s_do_not_hold_the_limit_down(retry_after: float) -> None:
    # 30% of requests refused whatever the level: the best fixed limit is the ceiling.
    account = Account(random=0.3, retry_after=retry_after)
    adaptive = runs(account)
    assert sum(run.failures for run in adaptive) == 0
    assert median_ratio(adaptive, runs(account, fixed_at=CEILING)) <= 1.2


@pytest.mark.parametrize("retry_after", [0.0, 1.0])
def test_a_cap_is_found_under_random_429s(retry_after: float) -> None:
    # The best fixed limit is the cap itself, which only a user who knows it could set.
    account = Account(cap=20, random=0.3, retry_after=retry_after)
    adaptive = runs(account)
    assert sum(run.failures for run in adaptive) == 0
    assert median_ratio(adaptive, runs(account, fixed_at=20)) <= 1.5


@pytest.mark.parametrize("requests", [300, 1000])
def test_a_small_run_without_throttling_is_not_spent_in_slow_start(requests: int) -> None:
    adaptive = runs(Account(), requests=requests)
    assert statistics.median(run.seconds for run in adaptive) <= 1.35 * bound(requests, CEILING)
