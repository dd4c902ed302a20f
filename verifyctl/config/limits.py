"""What one YAML file may cost to load: the bounds, their problems, and a count of events against them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

MIB = 1024 * 1024
LIMITS_DOC = "docs/configuration-limits.md"


@dataclass(frozen=True)
class YamlLimits:
    """Bounds on one file. The defaults hold 10,000 services of every child kind in one file (about
    70 values each), and keep a hostile file (an alias bomb, a huge flat list) under a second and a
    couple of hundred megabytes. A caller with bigger files passes its own to the loader."""

    # Bytes read from the file; a bigger file is refused before it is decoded.
    max_file_bytes: int = 32 * MIB
    # Values (every scalar, list and mapping except mapping keys), each alias counting all it repeats.
    max_values: int = 1_000_000
    # Characters of scalar text, each alias counting all it repeats; without aliases it stays below the
    # file's size, so this only stops a long string repeated by aliases.
    max_text: int = 32 * MIB
    # Levels of nested lists and mappings (PyYAML's composers recurse once per level).
    max_depth: int = 32
    # Problems reported for one file; checking stops soon after, so a file of a million small mistakes
    # (`services: [1, 1, ...]`) costs what its first thousand do, not gigabytes of errors.
    max_problems: int = 1000


DEFAULT_LIMITS = YamlLimits()


def too_large(limits: YamlLimits) -> str:
    """The problem of a file bigger than `limits.max_file_bytes`."""
    return file_too_large(limits.max_file_bytes)


def file_too_large(limit: int) -> str:
    """The problem of a file bigger than `limit` bytes."""
    return f"the file is larger than {limit:,} bytes, the limit of one file; see {LIMITS_DOC}"


class OverLimit(Exception):
    """A bound of YamlLimits was crossed at `mark` (a yaml Mark) while the events were counted."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def too_deep(mark: Any, limits: YamlLimits) -> OverLimit:
    """The bound crossed by a node inside max_depth open collections (where PyYAML's composers would
    recurse once too often)."""
    return OverLimit(mark, f"nested more than {limits.max_depth} levels deep")


def too_much(mark: Any, limits: YamlLimits, values: int, *, alias: bool) -> OverLimit:
    """The bound crossed once the document counts `values` values (or else its text) at `mark`."""
    how = "this alias expands the document to" if alias else "the document holds"
    bomb = " (an alias bomb?)" if alias else ""
    if values > limits.max_values:
        what = f"{limits.max_values:,} values"
    else:
        what = f"{limits.max_text:,} characters of text"
    return OverLimit(mark, f"{how} more than {what}, the limit of one file{bomb}; see {LIMITS_DOC}")


class _Open:
    """A list or mapping whose end event has not come yet."""

    __slots__ = ("anchor", "is_mapping", "items", "text", "values")

    def __init__(self, is_mapping: bool, anchor: str | None, values: int, text: int) -> None:
        self.is_mapping = is_mapping
        self.anchor = anchor
        self.items = 0
        # The budget's totals when the collection started, so its own weight is known at its end.
        self.values = values
        self.text = text


class Budget:
    """Counts the values, text and nesting of a document event by event; raises OverLimit when a bound
    is crossed. An alias counts the weight of the node it names, measured when that node ended, so a
    billion-laughs document is stopped at the first alias that takes it past a bound, after reading only
    its few kilobytes."""

    def __init__(self, limits: YamlLimits) -> None:
        self.limits = limits
        self.values = 0
        self.text = 0
        self._open: list[_Open] = []
        self._weights: dict[str, tuple[int, int]] = {}

    def feed(self, event: Any) -> None:
        """Count one parser event."""
        kind = type(event)
        if kind is ScalarEvent:
            # Most events are scalars: their path is written out, as it runs a million times for a big file.
            opened = self._open
            value = True
            if opened:
                if len(opened) > self.limits.max_depth:
                    self._too_deep(event)
                parent = opened[-1]
                parent.items += 1
                value = not parent.is_mapping or not parent.items & 1
            self.values += value
            self.text += len(event.value)
            if self.values > self.limits.max_values or self.text > self.limits.max_text:
                self._over(event, alias=False)
            if event.anchor is not None:
                self._weights[event.anchor] = (1, len(event.value))
        elif kind is AliasEvent:
            self._node(event)
            self._is_value()
            # An alias of a node still open (a recursive alias) or of no node is one value: the composer or
            # the converter reports it.
            values, text = self._weights.get(event.anchor, (1, 0))
            self._add(event, values, text, alias=True)
        elif kind is SequenceStartEvent or kind is MappingStartEvent:
            self._node(event)
            self._add(event, 1 if self._is_value() else 0, 0)
            if event.anchor is not None:
                self._weights[event.anchor] = (1, 0)
            self._open.append(_Open(kind is MappingStartEvent, event.anchor, self.values, self.text))
        elif kind is SequenceEndEvent or kind is MappingEndEvent:
            done = self._open.pop()
            if done.anchor is not None:
                # The collection itself, as an alias of it is a value wherever it is written.
                self._weights[done.anchor] = (1 + self.values - done.values, self.text - done.text)

    def _node(self, event: Any) -> None:
        if len(self._open) > self.limits.max_depth:
            self._too_deep(event)

    def _too_deep(self, event: Any) -> NoReturn:
        raise too_deep(event.start_mark, self.limits)

    def _is_value(self) -> bool:
        """Whether the node starting now is a value (not a mapping key); counts it in its parent."""
        if not self._open:
            return True
        parent = self._open[-1]
        parent.items += 1
        return not parent.is_mapping or parent.items % 2 == 0

    def _add(self, event: Any, values: int, text: int, *, alias: bool = False) -> None:
        self.values += values
        self.text += text
        if self.values > self.limits.max_values or self.text > self.limits.max_text:
            self._over(event, alias=alias)

    def _over(self, event: Any, *, alias: bool) -> NoReturn:
        raise too_much(event.start_mark, self.limits, self.values, alias=alias)
