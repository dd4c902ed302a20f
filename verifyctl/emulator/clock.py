"""The emulator's clock (movable for expiry tests), its ISO-8601 date format, and SID generation."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime, timezone

# The clock stays between the epoch and the year 9000, so every date it gives (plus an expiry) formats.
EARLIEST = 0.0
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc).timestamp()


class Clock:
    """Wall-clock time plus an offset that tests can advance."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, as the emulator sees them."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the emulator's time forward (or back, with a negative value).

        Raises ValueError, and does not move, when the time would leave the years 1970 to 8999.
        """
        with self._lock:
            moved = time.time() + self._offset + seconds
            if not EARLIEST <= moved < LATEST:
                raise ValueError("the emulator's clock must stay between 1970 and 9000")
            self._offset += seconds


def iso(timestamp: float) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` in UTC, the format of every date the API answers."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_sid(prefix: str) -> str:
    """A fresh SID: two-letter prefix and 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)
