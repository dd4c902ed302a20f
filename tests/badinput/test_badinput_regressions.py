"""Inputs the property suites found: line breaks in a key or a file name kept a problem off its one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.badinput.outcome import run_and_check
from verifyctl.emulator import EmulatorServer


@pytest.mark.parametrize("key", ["\r", "a\nb", "\u2028", "\x85"])
def test_a_key_with_a_line_break_is_escaped_in_its_problem(emulator: EmulatorServer, key: str) -> None:
    Path("key.yaml").write_text(f'version: 1\nservices: []\n"{key.encode("unicode_escape").decode()}": 1\n')
    run = run_and_check(emulator, "regressions", "plan", "key.yaml")
    assert run.exit_code == 1
    assert run.stderr.splitlines()[0].startswith("Error: key.yaml:3:1: ")
    assert "unknown key" in run.stderr


def test_a_file_name_with_a_line_break_is_escaped(emulator: EmulatorServer) -> None:
    run = run_and_check(emulator, "regressions", "validate", "missing\nfile.yaml")
    assert run.exit_code == 1
    assert run.stderr.splitlines()[0] == 'Error: "missing\\nfile.yaml":1:1: no such file or directory'


@pytest.mark.parametrize(
    "args",
    [
        ("schema", "line\nbreak.yaml"),
        ("plan", "--format", "x\ny"),
        ("apply", "--parallelism", "5\nx"),
        ("emulator", "nonsense\u2028"),
    ],
)
def test_a_usage_error_stays_on_one_line_whatever_the_argument_holds(
    emulator: EmulatorServer, args: tuple[str, ...]
) -> None:
    run = run_and_check(emulator, "regressions", *args)
    assert run.exit_code == 64
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1
    assert run.stderr.rstrip("\n").endswith(errors[0])
