"""When and how long to wait before trying a request again: bounded exponential backoff with full jitter."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# Statuses that say "try again later"; any other error status is final.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# 429s that no short wait can cure (Verify's per-verification attempt limits).
FINAL_429_CODES = frozenset({60202, 60203})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds on retrying; `sleep`, `random` and `clock` are injectable so tests never really wait.

    Without a `sleep`, the client waits on its cancel switch, so `VerifyClient.cancel()` ends the wait.
    The waits outside the request loop (confirming creates, the racing check) use the same clock and
    sleep, so that one fake makes a whole run instant.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_total_seconds: float = 60.0
    # A concurrency 429 (20429) without Retry-After: the adaptive limit already holds the load back,
    # so the request goes back in the queue after a short jittered wait (a tenth of the usual).
    throttled_base_delay: float = 0.05
    # ... and may be retried more often: each retry is cheap, and an account that throttles at random
    # (30% of requests) would otherwise fail one request in 400 after five 429s in a row.
    max_throttled_attempts: int = 12
    sleep: Callable[[float], None] | None = field(default=None, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    def __post_init__(self) -> None:
        for count in ("max_attempts", "max_throttled_attempts"):
            if getattr(self, count) < 1:
                raise ValueError(f"{count} must be at least 1, not {getattr(self, count)}")
        for name in ("base_delay", "max_delay", "max_total_seconds", "throttled_base_delay"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, not {getattr(self, name)}")

    def pause(self, seconds: float) -> None:
        """Wait outside the request loop: the injected `sleep`, else a real one."""
        (self.sleep if self.sleep is not None else time.sleep)(seconds)

    def backoff(self, attempt: int, base: float | None = None) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**(attempt-1))], base_delay by default."""
        first = self.base_delay if base is None else base
        ceiling = min(self.max_delay, first * 2.0 ** min(attempt - 1, 62))
        return self.random() * ceiling

    def delay(self, attempt: int, retry_after: float | None, *, throttled: bool = False) -> float:
        """The wait after failed attempt `attempt`: the server's Retry-After (capped) when it gave one."""
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        return self.backoff(attempt, self.throttled_base_delay if throttled else None)


def parse_retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now() if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())
