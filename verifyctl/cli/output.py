"""Where output goes: results on stdout, progress and logs on stderr, colour only on a terminal."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime, timezone

import click


def use_colour(no_color: bool, color: str = "auto") -> bool:
    """--color always|never; on auto, only on a terminal that is not TERM=dumb, and never with NO_COLOR."""
    if color == "always":
        return True
    if no_color or color == "never":
        return False
    # https://no-color.org: present and non-empty. TERM=dumb terminals show escape codes as they are.
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def result(text: str) -> None:
    click.echo(text, nl=False)


def progress(line: str) -> None:
    click.echo(line, err=True)


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message and the fields a record carries."""

    FIELDS = ("method", "path", "status", "ms", "attempt")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            # UTC with milliseconds: collectors merge lines from machines in different zones.
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        return json.dumps(line, ensure_ascii=False)


def setup_logging(verbose: int, log_format: str = "text") -> None:
    """-v: a line per request (INFO); -vv: with bodies (DEBUG); json: one object per line."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("verifyctl")
    root.handlers[:] = [handler]
    root.setLevel(level)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 change`, `2 changes`: the count with its noun in the right number."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
