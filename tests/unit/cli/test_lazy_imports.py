"""--version, --help, validate and schema start without the HTTP stack (the first two without pydantic)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
# Run main() in a fresh interpreter, then name which heavy packages it imported.
PROBE = """
import sys
from verifyctl.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("LOADED", ",".join(m for m in ("requests", "urllib3", "pydantic") if m in sys.modules))
"""


def loaded(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOADED"))
    return {name for name in line.removeprefix("LOADED ").split(",") if name}


@pytest.mark.parametrize("args", [("--version",), ("--help",)], ids=" ".join)
def test_version_and_help_import_neither_http_nor_pydantic(args: tuple[str, ...]) -> None:
    assert loaded(*args) == set()


@pytest.mark.parametrize("args", [("validate", "examples/"), ("schema",)], ids=" ".join)
def test_validate_and_schema_import_no_http_stack(args: tuple[str, ...]) -> None:
    assert not loaded(*args) & {"requests", "urllib3"}


def test_the_help_pages_summaries_are_the_commands_own() -> None:
    import click

    from verifyctl.cli.main import COMMANDS, SUMMARIES, cli

    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None
        assert SUMMARIES[name] == (command.help or "").split("\n\n")[0], name
