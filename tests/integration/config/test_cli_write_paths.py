"""plan --out, import -o, import --split to impossible paths: one clear error, exit 1, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.integration.commands.support import api
from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

CONFIG = "version: 1\nservices:\n  - friendly_name: Acme Login\n"


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry below `root` with its type and inode, to show that nothing was created or replaced."""
    found = {}
    for directory, names, files in os.walk(root):
        for name in [*names, *files]:
            status = os.lstat(Path(directory) / name)
            found[str((Path(directory) / name).relative_to(root))] = (status.st_mode, status.st_ino)
    return found


@pytest.fixture
def places(workdir: Path) -> Path:
    (workdir / "verifyctl.yaml").write_text(CONFIG)
    (workdir / "real.json").write_text("kept")
    (workdir / "link.json").symlink_to(workdir / "real.json")
    os.mkfifo(workdir / "fifo")
    (workdir / "folder").mkdir()
    (workdir / "file").write_text("a file")
    return workdir


@pytest.mark.parametrize(
    "target, why",
    [
        ("missing/dir/plan.json", "the directory missing/dir does not exist"),
        ("file/plan.json", "file is not a directory"),
        (
            "link.json",
            "it is a symlink, and only a regular file is replaced (write to - for standard output)",
        ),
        ("fifo", "it is a FIFO, and only a regular file is replaced (write to - for standard output)"),
        ("folder", "it is a directory, and only a regular file is replaced (write to - for standard output)"),
        (
            "/dev/stdout",
            "it is a symlink, and only a regular file is replaced (write to - for standard output)",
        ),
    ],
)
def test_plan_out_to_an_impossible_path(account: EmulatorServer, places: Path, target: str, why: str) -> None:
    if target == "/dev/stdout" and not os.path.islink(target):
        pytest.skip("/dev/stdout is not a symlink here")
    before = tree(places)
    run = run_cli("plan", "--out", target)
    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1] == f"Error: cannot write {target}: {why}"
    assert "Traceback" not in run.stderr
    assert tree(places) == before
    assert (places / "real.json").read_text() == "kept"


@pytest.mark.parametrize(
    "args, why",
    [
        (("-o", "missing/all.yaml"), "cannot write missing/all.yaml: the directory missing does not exist"),
        (
            ("-o", "link.json", "--force"),
            "cannot write link.json: it is a symlink, and only a regular file is",
        ),
        (("-o", "fifo", "--force"), "cannot write fifo: it is a FIFO, and only a regular file is replaced"),
        (("--split", "file"), "cannot write file/acme-login.yaml: file is not a directory"),
    ],
)
def test_import_to_an_impossible_path(
    account: EmulatorServer, places: Path, args: tuple[str, ...], why: str
) -> None:
    api(account, "POST", "/v2/Services", {"FriendlyName": "Acme Login"})
    before = tree(places)
    run = run_cli("import", *args)
    assert run.exit_code == 1
    (error,) = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
    assert error.startswith(f"Error: {why}")
    assert "Traceback" not in run.stderr
    assert tree(places) == before


def test_import_split_makes_its_directory_and_plan_out_writes(account: EmulatorServer, places: Path) -> None:
    api(account, "POST", "/v2/Services", {"FriendlyName": "Acme Login"})
    assert run_cli("import", "--split", "new/services").exit_code == 0
    assert [p.name for p in (places / "new" / "services").iterdir()] == ["acme-login.yaml"]
    assert run_cli("plan", "--out", "folder/plan.json").exit_code == 0
    assert (places / "folder" / "plan.json").read_text().startswith("{")
