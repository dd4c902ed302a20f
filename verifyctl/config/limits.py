"""What one YAML file may cost to load: the bounds, and the problems of crossing them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
