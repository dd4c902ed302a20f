"""Every path that cannot be followed is a problem naming it: nothing below a directory is skipped quietly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from verifyctl.config.loader import load_config
from verifyctl.config.paths import expand_paths
from verifyctl.errors import ConfigError

SERVICE = "version: 1\nservices:\n  - friendly_name: {name}\n"


def problems(*paths: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(list(paths), {})
    return [str(p) for p in caught.value.problems]


def unreadable(monkeypatch: pytest.MonkeyPatch, *denied: Path) -> None:
    """Make `denied` unreadable. The tests run as root, where chmod 000 does not stop a read, so the
    listing of a directory (os.scandir) or the opening of a file (os.open) raises PermissionError."""
    real_scandir, real_open = os.scandir, os.open
    names = {str(path) for path in denied}

    def scandir(path: str | Path) -> object:
        if str(path) in names:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def open_(path: str | Path, flags: int, *args: object, **kwargs: object) -> int:
        if str(path) in names:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)


def test_an_unreadable_subdirectory_is_a_problem_not_a_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.yaml").write_text("version: 1\nprune: true\nservices: []\n")
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "login.yaml").write_text(SERVICE.format(name="Acme Login"))
    unreadable(monkeypatch, tmp_path / "team")
    assert problems(tmp_path) == [f"{tmp_path / 'team'}:1:1: cannot read the directory: Permission denied"]


def test_an_unreadable_directory_given_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unreadable(monkeypatch, tmp_path)
    assert problems(tmp_path) == [f"{tmp_path}:1:1: cannot read the directory: Permission denied"]


def test_an_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "login.yaml").write_text(SERVICE.format(name="Acme Login"))
    unreadable(monkeypatch, tmp_path / "login.yaml")
    assert problems(tmp_path) == [f"{tmp_path / 'login.yaml'}:1:1: cannot read the file: Permission denied"]
    assert problems(tmp_path / "login.yaml") == [
        f"{tmp_path / 'login.yaml'}:1:1: cannot read the file: Permission denied"
    ]


def test_a_broken_symlink_is_a_problem_below_a_directory_and_given(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(SERVICE.format(name="Acme Login"))
    (tmp_path / "gone").symlink_to(tmp_path / "moved-away")
    assert problems(tmp_path) == [
        f"{tmp_path / 'gone'}:1:1: broken symlink: its target {tmp_path / 'moved-away'} does not exist"
    ]
    assert problems(tmp_path / "gone") == [
        f"{tmp_path / 'gone'}:1:1: broken symlink: its target {tmp_path / 'moved-away'} does not exist"
    ]


def test_a_symlink_loop_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(SERVICE.format(name="Acme Login"))
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    loop = "symlink loop: the link leads back to itself"
    assert problems(tmp_path) == [f"{tmp_path / 'a.yaml'}:1:1: {loop}", f"{tmp_path / 'b.yaml'}:1:1: {loop}"]
    assert problems(tmp_path / "a.yaml") == [f"{tmp_path / 'a.yaml'}:1:1: {loop}"]


def test_a_directory_linked_inside_itself_is_a_loop(tmp_path: Path) -> None:
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "login.yaml").write_text(SERVICE.format(name="Acme Login"))
    (tmp_path / "team" / "again").symlink_to(tmp_path)
    assert problems(tmp_path) == [
        f"{tmp_path / 'team' / 'again'}:1:1: symlink loop: the directory is inside itself"
    ]


def test_symlinked_files_and_directories_inside_the_root_are_followed(tmp_path: Path) -> None:
    shared = tmp_path / "config" / "shared"
    shared.mkdir(parents=True)
    (shared / "login.yaml").write_text(SERVICE.format(name="Acme Login"))
    (tmp_path / "config" / "linked").symlink_to(shared)
    (tmp_path / "config" / "one.yml").symlink_to(shared / "login.yaml")
    files, found, _ = expand_paths([tmp_path / "config"])
    assert found == []
    assert files == [tmp_path / "config" / "linked" / "login.yaml"]
    assert [s.friendly_name for s in load_config([tmp_path / "config"], {}).services] == ["Acme Login"]


def test_links_leading_outside_the_root_are_followed_only_when_allowed(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "login.yaml").write_text(SERVICE.format(name="Acme Login"))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "linked").symlink_to(shared)
    (tmp_path / "config" / "one.yml").symlink_to(shared / "login.yaml")
    why = f"a link not followed: it leads outside {tmp_path / 'config'}, the directory it is read in;"
    assert problems(tmp_path / "config") == [
        f"{tmp_path / 'config' / name}:1:1: {why} --allow-outside-links allows it"
        for name in ("linked", "one.yml")
    ]
    allowed = load_config([tmp_path / "config"], {}, outside_links=True)
    assert [s.friendly_name for s in allowed.services] == ["Acme Login"]


def test_hidden_entries_and_other_files_are_the_only_skips(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ci.yaml").write_text("on: push\n")
    (tmp_path / ".gone.yaml").symlink_to(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("not yaml")
    (tmp_path / "login.yaml").write_text(SERVICE.format(name="Acme Login"))
    assert expand_paths([tmp_path])[:2] == ([tmp_path / "login.yaml"], [])
