"""The YAML files that the paths of a command line name; every path that cannot be followed is a problem."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

from verifyctl.errors import Problem

YAML_SUFFIXES = (".yaml", ".yml")


def _problem(path: Path | str, message: str) -> Problem:
    return Problem(str(path), 1, 1, "", message)


def _unfollowable(path: Path) -> str | None:
    """Why `path` cannot be followed (a broken symlink, a symlink loop, no such path), or None."""
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"broken symlink: its target {os.readlink(path)} does not exist"
        return "no such file or directory"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: the link leads back to itself"
        return f"cannot access the path: {exc.strerror or exc}"
    return None


class _Walk:
    """Every *.yaml/*.yml file below a directory, following symlinks, with a problem for each path that
    cannot be followed: nothing is skipped silently, as a skipped file's services would look deleted to
    `prune: true`. Hidden entries (.git, .github) are the one deliberate skip: they hold other tools'
    YAML, never verifyctl's."""

    def __init__(self) -> None:
        self.files: list[Path] = []
        self.problems: list[Problem] = []

    def directory(self, directory: Path, parents: frozenset[tuple[int, int]]) -> None:
        try:
            status = os.stat(directory)
            # os.scandir, so that a test can make a directory unreadable even when it runs as root.
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            self.problems.append(_problem(directory, f"cannot read the directory: {exc.strerror or exc}"))
            return
        here = (status.st_dev, status.st_ino)
        if here in parents:
            self.problems.append(_problem(directory, "symlink loop: the directory is inside itself"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            self.entry(Path(entry.path), entry.is_symlink(), parents | {here})

    def entry(self, path: Path, is_link: bool, parents: frozenset[tuple[int, int]]) -> None:
        if is_link:
            why = _unfollowable(path)
            if why is not None:
                self.problems.append(_problem(path, why))
                return
        try:
            is_dir = path.is_dir()
        except OSError as exc:
            self.problems.append(_problem(path, f"cannot access the path: {exc.strerror or exc}"))
            return
        if is_dir:
            self.directory(path, parents)
        elif path.name.endswith(YAML_SUFFIXES):
            self.files.append(path)


def expand_paths(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem], list[str]]:
    """The files to load, in order: each file given, and every *.yaml/*.yml below each directory, sorted.

    Also returns the problems (missing, unreadable and looping paths, broken symlinks, directories
    without YAML) and every name in the order given, which is the order problems are reported in.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    order: list[str] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        why = _unfollowable(path)
        found: list[Path] = []
        if why is not None:
            problems.append(_problem(path, why))
            order.append(str(path))
        elif path.is_dir():
            walk = _Walk()
            walk.directory(path, frozenset())
            if not walk.files and not walk.problems:
                problems.append(_problem(path, "the directory has no *.yaml or *.yml files"))
            problems.extend(walk.problems)
            found = walk.files
            named = sorted([*found, *(Path(p.file) for p in walk.problems)], key=lambda p: p.parts)
            order.extend([str(p) for p in named] or [str(path)])
        else:
            found = [path]
            order.append(str(path))
        for file in sorted(found, key=lambda p: p.parts):
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files, problems, order
