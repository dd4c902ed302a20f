"""The YAML files that the paths of a command line name; every path that cannot be followed is a problem."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from verifyctl.config.reading import outside, outside_reason, root_of
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
    YAML, never verifyctl's. A link that leads outside `root` is a problem, not followed, unless
    `root` is None."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
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
        if not is_dir and not path.name.endswith(YAML_SUFFIXES):
            return
        if is_link and self.root is not None and outside(path, self.root):
            self.problems.append(_problem(path, f"a link not followed: {outside_reason(self.root)}"))
        elif is_dir:
            self.directory(path, parents)
        else:
            self.files.append(path)


@dataclass
class Found:
    """The files that paths named on the command line lead to, each with the root it is read in."""

    files: list[Path] = field(default_factory=list)
    # Each file's root (root_of the path named): what it reads, its links followed, stays inside it.
    roots: dict[Path, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Every name in the order given, which is the order problems are reported in.
    order: list[str] = field(default_factory=list)


def expand_paths(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem], list[str]]:
    """find_files(paths)'s files, problems and order."""
    found = find_files(paths)
    return found.files, found.problems, found.order


def find_files(paths: Sequence[str | Path], *, outside_links: bool = False) -> Found:
    """The files to load, in order: each file given, and every *.yaml/*.yml below each directory, sorted.

    Also finds the problems (missing, unreadable and looping paths, broken symlinks, directories
    without YAML, links leading outside their root unless `outside_links`).
    """
    result = Found()
    files, problems, order = result.files, result.problems, result.order
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        why = _unfollowable(path)
        found: list[Path] = []
        root = root_of(path) if why is None else Path()
        if why is None and not outside_links and path.is_symlink() and outside(path, root):
            why = f"a link not followed: {outside_reason(root)}"
        if why is not None:
            problems.append(_problem(path, why))
            order.append(str(path))
        elif path.is_dir():
            walk = _Walk(None if outside_links else root)
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
                result.roots[file] = root
    return result
