"""Injected faults (latency, 500s, throttling, dropped writes), reproducible with a seed."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class FaultSettings:
    """How often each fault happens; rates are probabilities in [0, 1]."""

    latency_ms: float = 0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    drop_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        for name in ("error_rate", "throttle_rate", "drop_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")


@dataclass(frozen=True)
class FaultDraw:
    """The faults drawn for one request."""

    latency_seconds: float
    error: bool
    throttle: bool
    drop: bool


class Faults:
    """Draws each request's faults from one seeded random stream under a lock."""

    def __init__(self, settings: FaultSettings, seed: int | None = None) -> None:
        self._settings = settings
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        # Wakes requests waiting out their latency when the settings change (see `wait_latency`).
        self._changed = threading.Condition(self._lock)

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def change(self, **changes: float | None) -> None:
        """Change some settings at run time; None leaves a setting as it is."""
        given = {name: value for name, value in changes.items() if value is not None}
        with self._lock:
            self._settings = replace(self._settings, **given)
            self._changed.notify_all()

    def wait_latency(self, started: float) -> None:
        """Wait until the latency has passed since `started` (a `time.monotonic()` reading).

        The latency in force decides, not the one drawn: lowering it releases requests already waiting, so a
        test can hold requests in flight as long as it needs and then let them go, with no timing guess.
        """
        with self._changed:
            while True:
                remaining = started + self._settings.latency_ms / 1000.0 - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(remaining)

    def draw(self) -> FaultDraw:
        """Three draws per request whatever the rates: a seed replays the same faults at the same points."""
        with self._lock:
            settings = self._settings
            error, throttle, drop = (self._random.random() for _ in range(3))
        return FaultDraw(
            latency_seconds=settings.latency_ms / 1000.0,
            error=error < settings.error_rate,
            throttle=throttle < settings.throttle_rate,
            drop=drop < settings.drop_rate,
        )
