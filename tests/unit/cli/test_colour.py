"""When output is coloured: --color always|never|auto, --no-color, NO_COLOR, TERM=dumb and non-terminals."""

from __future__ import annotations

import sys

import pytest

from verifyctl.cli import output

CASES = [
    # (no_color, color, environment, stdout is a terminal, coloured)
    (False, "auto", {}, True, True),
    (False, "auto", {}, False, False),
    (False, "auto", {"NO_COLOR": "1"}, True, False),
    (False, "auto", {"TERM": "dumb"}, True, False),
    (False, "auto", {"NO_COLOR": ""}, True, True),  # no-color.org: only a non-empty value counts
    (False, "never", {}, True, False),
    (True, "auto", {}, True, False),
    (False, "always", {}, False, True),
    (False, "always", {"NO_COLOR": "1", "TERM": "dumb"}, False, True),  # asked for by name
]


@pytest.mark.parametrize(("no_color", "color", "environment", "tty", "coloured"), CASES)
def test_use_colour(
    monkeypatch: pytest.MonkeyPatch,
    no_color: bool,
    color: str,
    environment: dict[str, str],
    tty: bool,
    coloured: bool,
) -> None:
    for name in ("NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    assert output.use_colour(no_color, color) is coloured


@pytest.mark.parametrize(("count", "text"), [(0, "0 changes"), (1, "1 change"), (2, "2 changes")])
def test_plural(count: int, text: str) -> None:
    assert output.plural(count, "change") == text
