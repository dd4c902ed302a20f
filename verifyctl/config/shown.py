"""How a value written in a file appears in a problem message: quoted, on one line, long ones cut short."""

from __future__ import annotations

# Long enough to recognise a value, short enough that a 100 KB value aliased 2,000 times costs kilobytes.
SHOWN_LENGTH = 40


def shorten(text: str, limit: int = SHOWN_LENGTH) -> str:
    """`text` itself when short, else its first characters, '...' and how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 3]}... ({len(text)} characters)"


def quoted(value: object, limit: int = SHOWN_LENGTH) -> str:
    """`value` as a Python literal ('abc'); a string is cut to `limit` characters first, so it stays short."""
    if not isinstance(value, str) or len(value) <= limit:
        return repr(value)
    return f"{value[: limit - 3]!r}... ({len(value)} characters)"
