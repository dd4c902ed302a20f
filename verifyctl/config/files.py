"""The configuration files of one command: found, read through the bound and parsed once, whatever follows."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from verifyctl.config.limits import DEFAULT_LIMITS, YamlLimits
from verifyctl.config.paths import Found, find_files
from verifyctl.config.reading import TooLarge, Unreadable, read_file
from verifyctl.config.yaml_document import Document
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.errors import Problem

DEFAULT_PATH = "verifyctl.yaml"

Parse = tuple[Document | None, list[Problem]]


class ConfigFiles:
    """The files that `paths` (default verifyctl.yaml) lead to, each read and parsed at most once.

    A command reads the `environments:` section first, then loads the files once per environment it
    works on (on threads for `plan --env all`). Every load shares the one parse: substitution expands
    `${VAR}` into a new document and leaves the parse as it was.
    """

    def __init__(
        self,
        paths: Sequence[str | Path] = (),
        *,
        limits: YamlLimits = DEFAULT_LIMITS,
        outside_links: bool = False,
    ) -> None:
        self.paths = list(paths) or [DEFAULT_PATH]
        self.limits = limits
        self.outside_links = outside_links
        self._lock = threading.RLock()
        self._found: Found | None = None
        self._sources: list[tuple[str, bytes]] = []
        self._read_problems: list[Problem] = []
        self._parsed: dict[str, Parse] = {}

    def found(self) -> Found:
        """The files, their roots, the problems of the paths and the order of the names (found once)."""
        with self._lock:
            if self._found is None:
                self._found = find_files(self.paths, outside_links=self.outside_links)
                self._read_all(self._found)
            return self._found

    def _read_all(self, found: Found) -> None:
        for file in found.files:
            root = None if self.outside_links else found.roots[file]
            try:
                self._sources.append((str(file), read_file(file, self.limits.max_file_bytes, root)))
            except Unreadable as exc:
                message = exc.reason if isinstance(exc, TooLarge) else f"cannot read the file: {exc.reason}"
                self._read_problems.append(Problem(str(file), 1, 1, "", message))

    def sources(self) -> tuple[list[tuple[str, bytes]], list[Problem]]:
        """(name, bytes) of every file read, and the problems of the paths and of the files not read."""
        found = self.found()
        return list(self._sources), [*found.problems, *self._read_problems]

    def root(self, name: str) -> Path | None:
        """The root of file `name` (None when links may lead anywhere)."""
        return None if self.outside_links else self.found().roots.get(Path(name))

    def parse(self, name: str, data: bytes) -> Parse:
        """The parse of file `name` (of these bytes), to be read and not changed."""
        with self._lock:
            kept = self._parsed.get(name)
            if kept is None:
                kept = self._parsed[name] = parse_yaml(name, data, self.limits)
            return kept
