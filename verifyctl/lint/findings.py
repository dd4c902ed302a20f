"""Findings: one rule's verdict on one place of the configuration, and the set a run produced."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from verifyctl.errors import EXIT_ERROR, EXIT_OK, PolicyError

Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """A rule's finding at FILE:LINE:COL; `excepted` is the reason of the policy exception that waives it."""

    rule: str
    level: Level
    message: str
    file: str
    line: int
    column: int
    service: str | None = None
    excepted: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.level}[{self.rule}]: {self.message}"


@dataclass(frozen=True)
class Findings:
    """Every finding of one run, in file order; waived findings are kept (SARIF shows them as suppressed)."""

    items: tuple[Finding, ...]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def active(self) -> list[Finding]:
        """The findings no policy exception waives."""
        return [f for f in self.items if f.excepted is None]

    @property
    def excepted(self) -> list[Finding]:
        """The findings a policy exception waives."""
        return [f for f in self.items if f.excepted is not None]

    def at_level(self, *levels: Level) -> list[Finding]:
        """The active findings of the given levels."""
        return [f for f in self.active if f.level in levels]

    def blocking(self, strict: bool = False) -> list[Finding]:
        """Active errors (and warnings when `strict`): they fail `lint` and `validate`, and refuse `apply`."""
        return self.at_level("error", "warning") if strict else self.at_level("error")

    def exit_code(self, strict: bool = False) -> int:
        """1 when a blocking finding exists, else 0 (the exit code of `verifyctl lint`)."""
        return EXIT_ERROR if self.blocking(strict) else EXIT_OK

    def raise_if_blocking(self) -> None:
        """Raise PolicyError (exit 1) listing the blocking findings, as `validate` does."""
        if self.blocking():
            raise PolicyError([str(f) for f in self.blocking()])

    def summary(self) -> str:
        """`2 errors, 1 warning, 0 info (1 waived by a policy exception)`."""
        counts = [_count(len(self.at_level(level)), level) for level in LEVELS]
        waived = f" ({len(self.excepted)} waived by a policy exception)" if self.excepted else ""
        return ", ".join(counts) + waived


def _count(number: int, noun: str) -> str:
    # "info" is a mass noun: `2 info`, as compilers print it.
    return f"{number} {noun}{'' if number == 1 or noun == 'info' else 's'}"


def ordered(findings: Sequence[Finding], file_order: Sequence[str]) -> Findings:
    """Findings sorted as `validate` sorts problems: by file (in load order), line, column, then rule."""
    rank = {name: index for index, name in enumerate(file_order)}
    key = lambda f: (rank.get(f.file, len(rank)), f.file, f.line, f.column, f.rule, f.message)  # noqa: E731
    return Findings(tuple(sorted(findings, key=key)))
