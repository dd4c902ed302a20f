"""Signals during apply: the first SIGINT or SIGTERM stops sending changes, a second SIGINT quits at once."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import FrameType

# How long requests already on the wire may take to end before those still waiting are given up.
GRACE_SECONDS = 10.0


class Terminated(BaseException):
    """SIGTERM arrived outside a command that handles it (apply stops cleanly on its own)."""


@dataclass
class Interrupt:
    """Whether, and by which signal, the run was asked to stop."""

    stop: threading.Event = field(default_factory=threading.Event)
    signum: int | None = None

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as shells report it: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + (self.signum if self.signum is not None else signal.SIGINT)


def _say(text: str) -> None:
    # A signal handler runs between two bytecodes of the main thread, which may be inside a write to
    # sys.stderr already: a second buffered write there raises "reentrant call", so write the fd.
    with suppress(OSError):
        os.write(2, (text + "\n").encode())


@contextmanager
def stop_on_signals(give_up_waiting: Callable[[], None]) -> Iterator[Interrupt]:
    """While inside, SIGINT/SIGTERM set `stop`; `give_up_waiting` runs if the grace period ends first."""
    interrupt = Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield interrupt  # only the main thread may handle signals; a caller on another thread gets none
        return
    timers: list[threading.Timer] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        if interrupt.stop.is_set():
            if signum == signal.SIGINT:
                _say("Interrupted again: quitting now; run apply again to converge")
                os._exit(interrupt.exit_code)  # at once: threads still sending are not waited for
            return
        interrupt.signum = signum
        interrupt.stop.set()
        _say(
            f"Interrupted: sending no more changes; waiting up to {GRACE_SECONDS:.0f} s for those "
            "in flight (Ctrl-C again to quit at once)"
        )
        timer = threading.Timer(GRACE_SECONDS, give_up_waiting)
        timer.daemon = True
        timer.start()
        timers.append(timer)

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield interrupt
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for timer in timers:
            timer.cancel()
