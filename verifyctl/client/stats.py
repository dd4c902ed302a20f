"""A thread-safe tally of the HTTP requests of one run, summarised in one line for `--stats`."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LimitPath:
    """Where the limit went during a run, for `--stats`."""

    adaptive: bool
    start: int
    peak: int
    low: int
    final: int
    ceiling: int
    throttled: int  # concurrency 429s seen (each one retried or given up on)
    decreases: int
    dismissed: int = 0  # of the 429s, those at levels under the cap found (or all, without one)


@dataclass(frozen=True)
class StatsSnapshot:
    """The tally at one moment, consistent across its fields."""

    requests: int
    by_method: dict[str, int]
    retries: int
    bytes_sent: int
    bytes_received: int
    request_seconds: float
    wall_seconds: float


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"


def _dismissed(path: LimitPath) -> str:
    # Random 429s (at a level the account kept serving) were retried without lowering the limit.
    return f" ({path.dismissed} of them random: limit kept)" if path.dismissed else ""


def _concurrency(path: LimitPath) -> str:
    absorbed = f"{path.throttled} concurrency 429{'' if path.throttled == 1 else 's'} absorbed"
    if not path.adaptive:
        return f"; concurrency fixed at {path.final}, {absorbed}"
    return (
        f"; concurrency start {path.start}, peak {path.peak}, low {path.low}, final {path.final} "
        f"(ceiling {path.ceiling}), {absorbed}{_dismissed(path)}"
    )


class RequestStats:
    """Counts every HTTP attempt (retries included) by method, with body bytes and time spent."""

    def __init__(self, limit_path: Callable[[], LimitPath] | None = None) -> None:
        self._limit_path = limit_path
        self._lock = threading.Lock()
        self._by_method: Counter[str] = Counter()
        self._retries = 0
        self._bytes_sent = 0
        self._bytes_received = 0
        self._request_seconds = 0.0
        # Wall time spans the first request's start to the last one's end, so concurrency shows.
        self._first_start: float | None = None
        self._last_end: float | None = None

    def record(self, method: str, *, started: float, ended: float, sent: int, received: int) -> None:
        """One attempt that ran from `started` to `ended` (perf_counter seconds)."""
        with self._lock:
            self._by_method[method.upper()] += 1
            self._bytes_sent += sent
            self._bytes_received += received
            self._request_seconds += max(0.0, ended - started)
            if self._first_start is None or started < self._first_start:
                self._first_start = started
            if self._last_end is None or ended > self._last_end:
                self._last_end = ended

    def add(self, other: RequestStats) -> None:
        """Count another client's requests here too (a fleet's tally is its members')."""
        theirs = other._times()
        seen = other.snapshot()
        with self._lock:
            self._by_method.update(seen.by_method)
            self._retries += seen.retries
            self._bytes_sent += seen.bytes_sent
            self._bytes_received += seen.bytes_received
            self._request_seconds += seen.request_seconds
            first, last = theirs
            if first is not None and (self._first_start is None or first < self._first_start):
                self._first_start = first
            if last is not None and (self._last_end is None or last > self._last_end):
                self._last_end = last

    def _times(self) -> tuple[float | None, float | None]:
        with self._lock:
            return self._first_start, self._last_end

    def record_retry(self) -> None:
        with self._lock:
            self._retries += 1

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            wall = 0.0
            if self._first_start is not None and self._last_end is not None:
                wall = self._last_end - self._first_start
            return StatsSnapshot(
                requests=sum(self._by_method.values()),
                by_method=dict(sorted(self._by_method.items())),
                retries=self._retries,
                bytes_sent=self._bytes_sent,
                bytes_received=self._bytes_received,
                request_seconds=self._request_seconds,
                wall_seconds=wall,
            )

    @property
    def total(self) -> int:
        return self.snapshot().requests

    def summary(self) -> str:
        """One line for stderr: `12 requests (GET 9, POST 3), 1 retry, ... wall; concurrency ...`."""
        s = self.snapshot()
        methods = ", ".join(f"{m} {n}" for m, n in s.by_method.items())
        noun = "request" if s.requests == 1 else "requests"
        retries = f"{s.retries} {'retry' if s.retries == 1 else 'retries'}"
        return (
            f"{s.requests} {noun}" + (f" ({methods})" if methods else "") + f", {retries}, "
            f"{_size(s.bytes_sent)} sent, {_size(s.bytes_received)} received, "
            f"{s.request_seconds:.2f} s in requests over {s.wall_seconds:.2f} s wall"
            + (_concurrency(self._limit_path()) if self._limit_path is not None else "")
        )

    def __repr__(self) -> str:
        return f"RequestStats({self.summary()})"
