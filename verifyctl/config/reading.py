"""Every file a command reads is read here: opened once, a regular file, inside its root, within the bound."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from verifyctl.config.limits import file_too_large

# The command-line flag that lets a link (or a named file) lead outside the configuration's root.
OUTSIDE_LINKS_FLAG = "--allow-outside-links"

_KINDS = (
    (stat.S_ISLNK, "a symlink"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of `mode` (an st_mode) is, in words: "a FIFO", "a character device", ..."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


class Unreadable(Exception):
    """A file that is not read; `reason` says why (after "cannot read FILE: "), never with its content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(Unreadable):
    """A file bigger than the bound: its reason is a sentence of its own ("the file is larger than ...")."""


def root_of(named: str | Path) -> Path:
    """The root of a path named on the command line: the directory itself (when it is one, not a link),
    else the directory that holds it; links followed, so that it compares with real paths."""
    path = Path(os.path.abspath(named))
    if path.is_dir() and not path.is_symlink():
        return Path(os.path.realpath(path))
    return Path(os.path.realpath(path.parent))


def outside(path: str | Path, root: Path) -> bool:
    """Whether `path`, its links followed, lies outside `root` (a real path, as root_of gives)."""
    real = os.path.realpath(path)
    return os.path.commonpath([real, root]) != str(root)


def outside_reason(root: Path) -> str:
    return f"it leads outside {root}, the directory it is read in; {OUTSIDE_LINKS_FLAG} allows it"


def read_file(path: str | Path, limit: int, root: Path | None = None) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; Unreadable otherwise.

    Checked before it is opened (opening a device or a FIFO can itself do harm, or wait for a writer
    forever): inside `root` once its links are followed, unless `root` is None, and a regular file
    (never a device such as /dev/zero, which never ends). Then opened once, without blocking, and
    checked again on the open descriptor, so that what is read is what was checked; read no further
    than one byte past `limit` (a file still growing is cut there).
    """
    real = os.path.realpath(path)
    if root is not None and os.path.commonpath([real, root]) != str(root):
        raise Unreadable(outside_reason(root))
    try:
        _check_kind(os.stat(real))
        descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Unreadable(str(exc.strerror or exc)) from None
    try:
        status = os.fstat(descriptor)
        _check_kind(status)
        if status.st_size > limit:
            raise TooLarge(file_too_large(limit))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise TooLarge(file_too_large(limit))
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(str(exc.strerror or exc)) from None
    finally:
        os.close(descriptor)


def _check_kind(status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise Unreadable(f"it is {kind_of(status.st_mode)}, and only a regular file is read")
