"""How a value written in a file appears in a problem message: quoted, on one line, long ones cut short."""

from __future__ import annotations

# Long enough to recognise a value, short enough that a 100 KB value aliased 2,000 times costs kilobytes.
SHOWN_LENGTH = 40


def shorten(text: str, limit: int = SHOWN_LENGTH) -> str:
    """`text` itself when short, else its first characters, '...' and how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 3]}... ({len(text)} characters)"


def quoted(text: str, limit: int = SHOWN_LENGTH) -> str:
    """`text` as a Python literal ('abc'), cut to `limit` characters first, so it stays on one line."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 3]!r}... ({len(text)} characters)"
