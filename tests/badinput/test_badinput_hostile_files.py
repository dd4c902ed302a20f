"""Hostile files (alias bombs, huge flat lists, deep nesting): one located error, no request, little cost.

Each file runs `verifyctl plan FILE` in a child process against the suite's emulator, so its time and
peak RSS are its own; the figures go to the run's "bad-input evidence" section. They are evidence, not
assertions: a shared CI machine can always be slower, and a timed assertion would flake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.badinput.outcome import PROBLEM_LINE
from tests.benchmarks.config_load import measure
from tests.chaos.evidence import count, note
from verifyctl.emulator import EmulatorServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "config"


def aliased_name(size: int) -> Callable[[], str]:
    """A name of `size` characters, then 1,999 services that alias it (2,000 uses in all)."""
    return lambda: (
        "version: 1\nservices:\n  - friendly_name: &n " + "A" * size + "\n" + "  - friendly_name: *n\n" * 1999
    )


def flat_list(items: int) -> Callable[[], str]:
    return lambda: "version: 1\nservices: [" + "1," * (items - 1) + "1]\n"


# label -> (the file, the first problem after its name, how many problems are reported)
HOSTILE: dict[str, tuple[Callable[[], str], str, int]] = {
    "billion laughs (1 KB, 10^9 values)": (
        lambda: (FIXTURES / "alias_bomb.yaml").read_text(encoding="utf-8"),
        r":7:29: this alias expands the document to more than 1,000,000 values",
        1,
    ),
    "100 KB name aliased 2,000 times (144 KB)": (
        aliased_name(100_000),
        r":338:20: this alias expands the document to more than 33,554,432 characters of text",
        1,
    ),
    "1.15 MB name aliased 2,000 times (1.2 MB)": (
        aliased_name(1_150_000),
        r":32:20: this alias expands the document to more than 33,554,432 characters of text",
        1,
    ),
    "services: [1,1,...] (5 MB)": (
        flat_list(2_500_000),
        r":2:2000006: the document holds more than 1,000,000 values",
        1,
    ),
    # Just under the value bound, every item a mistake: the costliest file the bounds let through.
    "services: [1,1,...] of 999,000 values (2 MB)": (
        flat_list(999_000),
        r":2:12: services\[0\]: must be a mapping, not 1",
        1001,
    ),
    "services: [1,1,...] (50 MB)": (
        flat_list(25_000_000),
        r":1:1: the file is larger than 33,554,432 bytes",
        1,
    ),
    "5,000 nested lists (10 KB)": (
        lambda: "version: 1\nservices: " + "[" * 5000 + "]" * 5000 + "\n",
        r":2:43: nested more than 32 levels deep",
        1,
    ),
}


@pytest.mark.parametrize("label", sorted(HOSTILE))
def test_a_hostile_file_is_one_located_error_and_no_request(
    emulator: EmulatorServer, tmp_path: Path, label: str
) -> None:
    make, expected, reported = HOSTILE[label]
    path = tmp_path / "hostile.yaml"
    path.write_text(make(), encoding="utf-8")
    size = path.stat().st_size
    sid, token = emulator.accounts[0]
    account = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, "VERIFYCTL_API_URL": emulator.base_url}
    emulator.clear_requests()

    run = measure(["plan", str(path)], cwd=tmp_path, env=account)

    count("badinput: hostile files")
    note(
        f"badinput: hostile file, {label}",
        f"exit {run.exit_code} in {run.wall_s:.2f} s wall, {run.cpu_s:.2f} s CPU, {run.peak_rss_mb:.0f} MB"
        f" peak RSS, {len(run.stderr):,} bytes of error ({size:,} byte file)",
    )
    assert run.exit_code == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip("\n").splitlines()
    assert len(lines) == reported + 1, run.stderr[:2000]
    assert lines[0].startswith(f"Error: {path}:") and PROBLEM_LINE.match(lines[0][7:])
    assert all(PROBLEM_LINE.match(line) for line in lines[1:-1])
    assert re.search(re.escape(str(path)) + expected, lines[0]), lines[0]
    assert lines[-1] == f"{reported} problem{'s' if reported > 1 else ''} found in the configuration"
    assert [r for r in emulator.requests() if str(r["path"]).startswith("/v2/")] == []
