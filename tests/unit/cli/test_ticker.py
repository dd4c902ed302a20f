"""The progress line: quiet for short runs, rewritten in place on a terminal, periodic lines in a log."""

from __future__ import annotations

import io

import pytest

from verifyctl.cli.ticker import DELAY_SECONDS, PLAIN_INTERVAL, TERMINAL_INTERVAL, Ticker, duration, reading
from verifyctl.client.pace import Progress
from verifyctl.client.stats import RequestStats


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


class ReadingEngine:
    """What `reading` asks of the engine: the requests so far and the Safe List's progress."""

    api_url = "https://verify.twilio.com"

    def __init__(self, safe_list: tuple[int, Progress] | None) -> None:
        self._safe_list = safe_list
        self.stats = RequestStats()

    def safe_list_progress(self) -> tuple[int, Progress] | None:
        return self._safe_list


def test_a_long_safe_list_read_says_how_long_it_takes_and_why() -> None:
    engine = ReadingEngine((10_000, Progress(120, 9_880 * 2.0)))
    for _ in range(212):
        engine.stats.record("GET", started=0.0, ended=0.05, sent=0, received=100)
    ticker = reading(engine, wall=lambda: 0.0)  # type: ignore[arg-type]
    # As docs/plans-and-apply.md shows it.
    assert ticker._describe() == (
        "Reading the account at https://verify.twilio.com: 212 requests; Safe List 120/10000 numbers, "
        "about 5 h 29 min left (ETA 05:29 UTC): the Safe List API allows 30 requests a minute"
    )


def test_a_read_without_a_wait_shows_the_requests_only() -> None:
    for safe_list in (None, (20, Progress(20, 0.0))):
        ticker = reading(ReadingEngine(safe_list))  # type: ignore[arg-type]
        assert ticker._describe() == "Reading the account at https://verify.twilio.com: 0 requests"


@pytest.mark.parametrize(("seconds", "shown"), [(40.2, "40 s"), (720, "12 min"), (19_980, "5 h 33 min")])
def test_durations(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown
