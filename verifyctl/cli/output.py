"""Where output goes: results on stdout, progress and logs on stderr, colour only on a terminal."""

from __future__ import annotations

import logging
import os
import sys

import click


def use_colour(no_color: bool) -> bool:
    """Colour only on a terminal, and never with --no-color or NO_COLOR (https://no-color.org)."""
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def result(text: str) -> None:
    click.echo(text, nl=False)


def progress(line: str) -> None:
    click.echo(line, err=True)


def setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("verifyctl")
    root.handlers[:] = [handler]
    root.setLevel(level)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 change`, `2 changes`: the count with its noun in the right number."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
