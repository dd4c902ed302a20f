"""Every file the CLI writes goes through here: stdout for '-', regular files only, atomic, clear errors."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from verifyctl.cli.output import result
from verifyctl.config.reading import kind_of
from verifyctl.errors import VerifyctlError

STDOUT = "-"


class WriteError(VerifyctlError):
    """A file could not be written; the message names the path and says why, on one line."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _refuse_all_but_a_regular_file(path: Path, shown: str) -> int | None:
    """The mode bits of the regular file at `path`, None when nothing is there; refuse anything else.

    Replacing a symlink, a FIFO or a device with a regular file would break what it stood for (as root,
    `--out /dev/stdout` once replaced /dev/stdout), and a directory cannot be replaced at all.
    """
    try:
        status = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # nothing there; a parent that is no directory is
        return None  # reported by _ensure_directory, in plainer words
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {_reason(exc)}") from None
    if stat.S_ISREG(status.st_mode):
        return stat.S_IMODE(status.st_mode)
    raise WriteError(
        f"cannot write {shown}: it is {kind_of(status.st_mode)}, and only a regular file is replaced"
        f" (write to {STDOUT} for standard output)"
    )


def _ensure_directory(directory: Path, shown: str, create: bool) -> None:
    if directory.is_dir():
        return
    if directory.exists() or directory.is_symlink():
        raise WriteError(f"cannot write {shown}: {directory} is not a directory")
    if not create:
        raise WriteError(f"cannot write {shown}: the directory {directory} does not exist")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the directory {directory}: {_reason(exc)}") from None


def _new_file_mode() -> int:
    # mkstemp creates 0600; a new file gets what open() would have given it (0666 less the umask).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_writable(target: str | Path) -> None:
    """Refuse now a file that `write_text` would refuse later (no directory there, a directory or a
    device at the path, a directory it may not write in), before a run does anything worth reporting."""
    path = Path(target)
    shown = str(target)
    _refuse_all_but_a_regular_file(path, shown)
    _ensure_directory(path.parent, shown, create=False)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise WriteError(f"cannot write {shown}: the directory {path.parent} is not writable")


def write_text(target: str | Path, text: str, *, create_directories: bool = False) -> None:
    """Write `text` to `target`, or to stdout when it is '-'.

    The file is written whole or not at all: a temporary file in the same directory, renamed over the
    target, so a reader (or an interrupted run) never sees half a file. Only a regular file is replaced.
    The directory must exist unless `create_directories` (then it and its parents are made). Every
    failure is a WriteError naming the path, never a traceback.
    """
    if str(target) == STDOUT:
        result(text)
        return
    path = Path(target)
    shown = str(target)
    mode = _refuse_all_but_a_regular_file(path, shown)
    directory = path.parent
    _ensure_directory(directory, shown, create_directories)
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fchmod(stream.fileno(), mode if mode is not None else _new_file_mode())
        # Checked again just before the rename, as the path may have changed since the first look.
        _refuse_all_but_a_regular_file(path, shown)
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {_reason(exc)}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
