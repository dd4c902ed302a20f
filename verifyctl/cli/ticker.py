"""A progress line for long reads and applies: live on a terminal, a plain line now and then without one."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from verifyctl.resources.kinds import SAFE_LIST_PACE

if TYPE_CHECKING:
    from verifyctl.engine import Engine

# Quiet for runs shorter than this: a progress line that flashes and vanishes is noise.
DELAY_SECONDS = 2.0
# A terminal line is cheap to rewrite; a log (CI, a file) gets a line only every so often.
TERMINAL_INTERVAL = 0.5
PLAIN_INTERVAL = 10.0


class Ticker:
    """Shows `describe()` with the elapsed time while a long step runs; `line()` prints above it.

    Use as a context manager around the step. Everything written to stderr during the step should go
    through `line()`, so that the live line is cleared first and redrawn after.
    """

    def __init__(
        self,
        describe: Callable[[], str],
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._describe = describe
        self._stream = stream if stream is not None else sys.stderr
        # A dumb terminal shows the erase-line escape as it is: it gets the plain lines.
        self._live = (self._stream.isatty() and os.environ.get("TERM") != "dumb") if live is None else live
        self._clock = clock
        self._started = clock()
        self._last_shown: float | None = None
        self._drawn = False
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Ticker:
        self._started = self._clock()
        self._thread = threading.Thread(target=self._run, name="verifyctl-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._clear()

    def line(self, text: str) -> None:
        """Print a permanent line on the stream, above the live line."""
        with self._lock:
            self._clear()
            self._stream.write(text + "\n")
            self._draw_again()
            self._stream.flush()

    def tick(self) -> None:
        """Show the progress now if it is due: after the delay, then every interval."""
        now = self._clock()
        elapsed = now - self._started
        if elapsed < DELAY_SECONDS:
            return
        interval = TERMINAL_INTERVAL if self._live else PLAIN_INTERVAL
        if self._last_shown is not None and now - self._last_shown < interval:
            return
        self._last_shown = now
        text = f"{self._describe()}, {elapsed:.0f} s"
        with self._lock:
            if self._live:
                # \r and "erase to end of line": the next draw replaces this one in place.
                self._stream.write(f"\r\x1b[K{text}")
                self._drawn = True
            else:
                self._stream.write(text + "\n")
            self._stream.flush()

    def _run(self) -> None:
        while not self._done.wait(TERMINAL_INTERVAL if self._live else 1.0):
            self.tick()

    def _clear(self) -> None:
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._drawn = False

    def _draw_again(self) -> None:
        if self._live and self._last_shown is not None:
            elapsed = self._clock() - self._started
            self._stream.write(f"\r\x1b[K{self._describe()}, {elapsed:.0f} s")
            self._drawn = True


def reading(engine: Engine, *, wall: Callable[[], float] = time.time) -> Ticker:
    """The ticker of a long read of the account: how many requests so far, and the Safe List's ETA."""

    def describe() -> str:
        done = engine.stats.snapshot().requests
        text = f"Reading the account at {engine.api_url}: {done} {'request' if done == 1 else 'requests'}"
        safe_list = engine.safe_list_progress()
        if safe_list is None or not safe_list[1].seconds_left:
            return text
        total, progress = safe_list
        eta = datetime.fromtimestamp(wall() + progress.seconds_left, timezone.utc).strftime("%H:%M UTC")
        return (
            f"{text}; Safe List {min(progress.sent, total)}/{total} numbers, about "
            f"{duration(progress.seconds_left)} left (ETA {eta}): the Safe List API allows "
            f"{SAFE_LIST_PACE.limit} requests a minute"
        )

    return Ticker(describe)


def duration(seconds: float) -> str:
    """`5 h 33 min`, `12 min`, `40 s`: as precise as a wait of that length needs."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    hours, minutes = divmod(round(whole / 60), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
