"""The signal handling of apply, in this process: the stop flag, the exit code, the grace period's end."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from verifyctl.cli import interrupts


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_sets_stop_and_the_grace_period_ends_in_give_up(
    monkeypatch: pytest.MonkeyPatch, signum: int, code: int
) -> None:
    monkeypatch.setattr(interrupts, "GRACE_SECONDS", 0.0)
    gave_up = threading.Event()
    before = signal.getsignal(signum)
    with interrupts.stop_on_signals(gave_up.set) as interrupt:
        assert not interrupt.stop.is_set()
        os.kill(os.getpid(), signum)  # the handler runs in this (main) thread before kill returns
        assert interrupt.stop.is_set()
        assert interrupt.exit_code == code
        assert gave_up.wait(30)
    assert signal.getsignal(signum) is before


def test_outside_the_main_thread_no_handler_is_installed() -> None:
    seen: list[bool] = []

    def body() -> None:
        with interrupts.stop_on_signals(lambda: None) as interrupt:
            seen.append(interrupt.stop.is_set())

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    assert seen == [False]
