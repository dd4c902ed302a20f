"""A parsed file: its plain data, and where each key and value of it was written."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from verifyctl.config.shown import shorten

Loc = tuple[str | int, ...]
# A 1-based (line, column) as a Document keeps it: a tuple costs a fifth of a Position to make.
At = tuple[int, int]


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass
class Document:
    """One parsed file: its data and where each part of it was written."""

    data: Any
    # Where each value starts (the key's value, or the sequence item); () is the document itself.
    values: dict[Loc, At] = field(default_factory=dict)
    # Where each mapping key is written.
    keys: dict[Loc, At] = field(default_factory=dict)
    # For strings written on one line without escapes: the column of their first character.
    string_columns: dict[Loc, int] = field(default_factory=dict)
    # Places already reported as broken; later checks stay quiet about them and what is below them.
    broken: set[Loc] = field(default_factory=set)
    # Values substituted from `${secret:NAME}`: plans, saved plans and messages mask them.
    secrets: set[str] = field(default_factory=set, repr=False)

    def position(self, loc: Loc) -> Position:
        """Where the value at `loc` (or its nearest written parent) starts."""
        for end in range(len(loc), -1, -1):
            found = self.values.get(loc[:end])
            if found is not None:
                return Position(*found)
        return Position(1, 1)

    def key_position(self, loc: Loc) -> Position:
        """Where the key of the entry at `loc` is written (its value's position if none)."""
        found = self.keys.get(loc)
        return Position(*found) if found is not None else self.position(loc)

    def is_broken(self, loc: Loc) -> bool:
        """Whether a problem was already reported at `loc` or at one of its parents."""
        return any(loc[:end] in self.broken for end in range(len(loc) + 1))


def format_loc(loc: Loc) -> str:
    """('services', 0, 'totp', 'skew') -> 'services[0].totp.skew'.

    A key with a line break or another unprintable character is quoted and escaped (`["\\r"]`), so that
    a problem stays on its one line of output.
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.isprintable():
            text += f"[{json.dumps(shorten(part))}]"
        else:
            text += f".{shorten(part)}" if text else shorten(part)
    return text


def copied(data: Any) -> Any:
    """A copy of parsed data that shares no list or mapping with it: a load changes its data in place."""
    if isinstance(data, dict):
        return {key: copied(value) for key, value in data.items()}
    if isinstance(data, list):
        return [copied(value) for value in data]
    return data  # strings, numbers, booleans and None never change in place
