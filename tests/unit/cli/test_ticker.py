"""The progress line: quiet for short runs, rewritten in place on a terminal, periodic lines in a log."""

from __future__ import annotations

import io

import pytest

from verifyctl.cli.ticker import DELAY_SECONDS, PLAIN_INTERVAL, TERMINAL_INTERVAL, Ticker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(live: bool) -> tuple[Ticker, io.StringIO, Clock, list[int]]:
    stream, clock, count = io.StringIO(), Clock(), [0]
    ticker = Ticker(lambda: f"{count[0]}/9 done", stream=stream, live=live, clock=clock)
    return ticker, stream, clock, count


def test_nothing_is_shown_before_the_delay() -> None:
    ticker, stream, clock, _ = make(live=True)
    clock.now += DELAY_SECONDS - 0.1
    ticker.tick()
    assert stream.getvalue() == ""


def test_on_a_terminal_the_line_is_rewritten_and_kept_below_printed_lines() -> None:
    ticker, stream, clock, count = make(live=True)
    clock.now += DELAY_SECONDS
    count[0] = 3
    ticker.tick()
    assert stream.getvalue() == "\r\x1b[K3/9 done, 2 s"
    clock.now += TERMINAL_INTERVAL / 2
    ticker.tick()  # not due yet
    ticker.line("  [4/9] + service[A]: created VA1")
    count[0] = 4
    clock.now += TERMINAL_INTERVAL
    ticker.tick()
    assert stream.getvalue() == (
        "\r\x1b[K3/9 done, 2 s"
        "\r\x1b[K  [4/9] + service[A]: created VA1\n"
        "\r\x1b[K3/9 done, 2 s"
        "\r\x1b[K4/9 done, 3 s"
    )


def test_without_a_terminal_plain_lines_come_every_interval() -> None:
    ticker, stream, clock, count = make(live=False)
    clock.now += DELAY_SECONDS
    ticker.tick()
    clock.now += PLAIN_INTERVAL - 1
    ticker.tick()
    count[0] = 7
    clock.now += 1
    ticker.tick()
    ticker.line("a line")
    assert stream.getvalue() == "0/9 done, 2 s\n7/9 done, 12 s\na line\n"
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_leaving_clears_the_live_line() -> None:
    ticker, stream, clock, _ = make(live=True)
    with ticker:
        clock.now += DELAY_SECONDS
        ticker.tick()
    assert stream.getvalue().endswith("0/9 done, 2 s\r\x1b[K")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_dumb_terminal_gets_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    stream, clock = Terminal(), Clock()
    ticker = Ticker(lambda: "1/2 done", stream=stream, clock=clock)
    clock.now += DELAY_SECONDS
    ticker.tick()
    assert stream.getvalue() == "1/2 done, 2 s\n"
    monkeypatch.setenv("TERM", "xterm")
    terminal = Terminal()
    live = Ticker(lambda: "1/2 done", stream=terminal, clock=clock)
    clock.now += DELAY_SECONDS
    live.tick()
    assert terminal.getvalue() == "\r\x1b[K1/2 done, 2 s"
