"""The one file-write helper: stdout for '-', regular files only, atomic, one-line errors naming the path."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from verifyctl.cli import files
from verifyctl.cli.files import WriteError, write_text
from verifyctl.errors import EXIT_ERROR


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_a_new_file_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    write_text(target, "{}\n")
    assert target.read_text() == "{}\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert leftovers(tmp_path) == []


def test_replaces_a_regular_file_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")
    target.chmod(0o640)
    write_text(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_dash_is_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_text("-", "to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"


def test_a_missing_directory_is_an_error_unless_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "plan.json"
    with pytest.raises(WriteError) as caught:
        write_text(target, "x")
    assert str(caught.value) == f"cannot write {target}: the directory {target.parent} does not exist"
    assert caught.value.exit_code == EXIT_ERROR
    assert not (tmp_path / "a").exists()
    write_text(target, "x", create_directories=True)
    assert target.read_text() == "x"


def test_a_parent_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a file")
    with pytest.raises(WriteError, match=r"^cannot write .*/a/plan.json: .*/a is not a directory$"):
        write_text(tmp_path / "a" / "plan.json", "x", create_directories=True)


def special_files(tmp_path: Path) -> dict[str, Path]:
    real = tmp_path / "real.json"
    real.write_text("kept")
    (tmp_path / "link.json").symlink_to(real)
    (tmp_path / "dangling.json").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    return {
        "a symlink": tmp_path / "link.json",
        "a symlink ": tmp_path / "dangling.json",
        "a FIFO": tmp_path / "fifo",
        "a directory": tmp_path / "folder",
        "a character device": Path("/dev/null"),
    }


@pytest.mark.parametrize("kind", ["a symlink", "a symlink ", "a FIFO", "a directory", "a character device"])
def test_anything_but_a_regular_file_is_refused_and_left_alone(tmp_path: Path, kind: str) -> None:
    target = special_files(tmp_path)[kind]
    before = os.lstat(target)
    with pytest.raises(WriteError) as caught:
        write_text(target, "x")
    assert str(caught.value) == (
        f"cannot write {target}: it is {kind.strip()}, and only a regular file is replaced"
        " (write to - for standard output)"
    )
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert (tmp_path / "real.json").read_text() == "kept"
    assert leftovers(tmp_path) == []


def test_dev_stdout_is_refused(tmp_path: Path) -> None:
    # As root, the old writer replaced /dev/stdout (a symlink) with a regular file.
    if not os.path.islink("/dev/stdout"):
        pytest.skip("/dev/stdout is not a symlink here")
    with pytest.raises(WriteError, match=r"^cannot write /dev/stdout: it is a symlink"):
        write_text("/dev/stdout", "x")
    assert os.path.islink("/dev/stdout")


def test_an_os_error_while_writing_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(WriteError) as caught:
        write_text(target, "new")
    assert str(caught.value) == f"cannot write {target}: No space left on device"
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_an_unwritable_directory_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root, chmod does not stop a write: mkstemp is made to fail as it would without permission.
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    with pytest.raises(WriteError) as caught:
        write_text(tmp_path / "plan.json", "x")
    assert str(caught.value) == f"cannot write {tmp_path / 'plan.json'}: Permission denied"
