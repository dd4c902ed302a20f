"""Simulated accounts for the limiter: a cap and/or random 429s, on simulated time, seeded, no sleeping.

The model follows the emulator (`--max-concurrency`, `--throttle-rate`): a request over the cap is
refused without being counted; one admitted may still be refused at random (it was counted meanwhile);
every answer, refused or not, comes back after the latency. A refused request waits its Retry-After
(or the client's jittered backoff) outside the limit, or less once the limit is lowered after it was
sent (as `VerifyClient` waits), and then goes before requests not yet sent.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from dataclasses import dataclass

from verifyctl.client.limiter import ConcurrencyLimiter, Slot
from verifyctl.client.retry import RetryPolicy

LATENCY = 0.05
# Event kinds, in the order they are handled at the same instant.
LEAVE, ARRIVE, SERVED, REFUSED, RETRY = range(5)


@dataclass(frozen=True)
class Account:
    """What the account refuses: beyond `cap` in flight (None: no cap), and a `random` share of the rest."""

    cap: int | None = None
    random: float = 0.0
    retry_after: float | None = None


@dataclass(frozen=True)
class Run:
    seconds: float
    failures: int
    refusals: int
    attempts: int


def simulate(limiter: ConcurrencyLimiter, account: Account, requests: int = 1000, seed: int = 7) -> Run:
    """Send `requests` independent requests through `limiter` to `account`; the simulated wall time."""
    draw = random.Random(seed)
    policy = RetryPolicy(random=draw.random)
    ready: deque[tuple[int, int]] = deque((index, 1) for index in range(requests))  # (request, attempt)
    retries: deque[tuple[int, int]] = deque()
    waiting: dict[int, tuple[int, Slot]] = {}  # request -> (its next attempt, the slot it was refused in)
    # (time, kind, order, request, attempt, slot): the account forgets a request before its answer is read.
    events: list[tuple[float, int, int, int, int, Slot | None]] = []
    now, order, in_flight, counted = 0.0, 0, 0, 0
    failures = refusals = attempts = 0
    while True:
        while in_flight < limiter.limit and (retries or ready):
            index, attempt = retries.popleft() if retries else ready.popleft()
            slot = limiter.acquire(retry=attempt > 1)
            in_flight += 1
            attempts += 1
            # Requests sent together reach the account in any order.
            order += 1
            heapq.heappush(events, (now + 0.2 * LATENCY * draw.random(), ARRIVE, order, index, attempt, slot))
        if not events:
            return Run(now, failures, refusals, attempts)
        now, kind, _, index, attempt, slot = heapq.heappop(events)
        if kind == LEAVE:
            counted -= 1
        elif kind == RETRY:
            if waiting.get(index, (0,))[0] == attempt:
                del waiting[index]
                retries.append((index, attempt))
        elif kind == ARRIVE:
            admitted = account.cap is None or counted < account.cap
            counted += admitted
            refused = not admitted or draw.random() < account.random
            answer_at = now + 0.8 * LATENCY * (1 + 0.1 * draw.random())
            order += 1
            heapq.heappush(events, (answer_at, REFUSED if refused else SERVED, order, index, attempt, slot))
            if admitted:
                heapq.heappush(events, (answer_at, LEAVE, order, 0, 0, None))
        else:
            assert slot is not None
            in_flight -= 1
            if kind == SERVED:
                limiter.release(slot, succeeded=True)
                continue
            refusals += 1
            wait = policy.delay(attempt, account.retry_after, throttled=True)
            limiter.release(slot, throttled=True)
            if attempt >= policy.max_throttled_attempts:
                failures += 1
            else:
                waiting[index] = (attempt + 1, slot)
                order += 1
                heapq.heappush(events, (now + wait, RETRY, order, index, attempt + 1, None))
            for waiter, (next_attempt, refused_in) in list(waiting.items()):
                if limiter.lowered_since(refused_in):
                    del waiting[waiter]
                    retries.append((waiter, next_attempt))


def bound(requests: int, parallelism: int) -> float:
    """The least time `requests` independent requests take at `parallelism` in flight."""
    return math.ceil(requests / parallelism) * LATENCY
