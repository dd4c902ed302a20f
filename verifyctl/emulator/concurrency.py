"""The per-account cap on requests in flight (`--max-concurrency`), shaped like Twilio's concurrency limit."""

from __future__ import annotations

import threading
from collections import Counter


class ConcurrencyLimit:
    """Counts each account's requests in flight; `enter` refuses one beyond the cap (None: no cap)."""

    def __init__(self, maximum: int | None = None, retry_after: int | None = None) -> None:
        if maximum is not None and maximum < 1:
            raise ValueError("max_concurrency must be at least 1")
        if retry_after is not None and retry_after < 0:
            raise ValueError("the concurrency Retry-After must not be negative")
        self.maximum = maximum
        # Seconds for the `Retry-After` of a refused request; None sends no header.
        self.retry_after = retry_after
        self._in_flight: Counter[str] = Counter()
        self._refused: Counter[str] = Counter()
        self._lock = threading.Lock()

    def enter(self, account_sid: str) -> bool:
        """Count one more request of the account in flight; False (and not counted) when it is at the cap."""
        with self._lock:
            if self.maximum is not None and self._in_flight[account_sid] >= self.maximum:
                self._refused[account_sid] += 1
                return False
            self._in_flight[account_sid] += 1
            return True

    def leave(self, account_sid: str) -> None:
        with self._lock:
            self._in_flight[account_sid] -= 1
            if self._in_flight[account_sid] <= 0:
                del self._in_flight[account_sid]

    def in_flight(self, account_sid: str | None = None) -> int:
        """Requests in flight for one account, or for all of them."""
        with self._lock:
            if account_sid is None:
                return sum(self._in_flight.values())
            return self._in_flight[account_sid]

    def refused(self, account_sid: str | None = None) -> int:
        """Requests refused so far for being beyond the cap, for one account or for all."""
        with self._lock:
            if account_sid is None:
                return sum(self._refused.values())
            return self._refused[account_sid]
