"""The emulator's clock (movable for expiry tests), its ISO-8601 date format, and SID generation."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime, timezone


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
        """Move the emulator's time forward (or back, with a negative value)."""
        with self._lock:
            self._offset += seconds


def iso(timestamp: float) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` in UTC, the format of every date the API answers."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_sid(prefix: str) -> str:
    """A fresh SID: two-letter prefix and 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)
