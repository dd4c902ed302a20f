"""Every `console` block in README.md and docs/ is what its commands print (scripts/docs_samples.py).

A failure shows a unified diff of the page against what the commands print; after a deliberate
change of output, `python scripts/docs_samples.py --write` rewrites the stale blocks.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("docs_samples", ROOT / "scripts" / "docs_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["docs_samples"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


samples = _load()
BLOCKS = samples.console_blocks()


def test_every_console_block_is_run_or_exempt_with_a_reason() -> None:
    keys = [block.key for block in BLOCKS]
    unknown = [b.where for b in BLOCKS if b.key not in samples.SAMPLES and b.key not in samples.EXEMPT]
    assert not unknown, f"console blocks no sample runs: {unknown} (add them to scripts/docs_samples.py)"
    assert len(set(keys)) == len(keys), (
        "two console blocks of one page start alike: SAMPLES cannot tell them apart"
    )
    assert set(samples.SAMPLES) <= set(keys), "SAMPLES names blocks that are gone"
    assert set(samples.EXEMPT) <= set(keys), "EXEMPT names blocks that are gone"
    assert all(len(reason) > 20 for reason in samples.EXEMPT.values())


def _problems(block: Any) -> list[str]:
    """What is wrong with a block's sample: its commands' problems, or a diff of the stale sample."""
    outcome = samples.run_block(block, samples.SAMPLES[block.key])
    if outcome.problems or outcome.matches():
        return list(outcome.problems)
    import difflib

    diff = "\n".join(
        difflib.unified_diff(list(block.lines), outcome.actual, "the page", "the commands", lineterm="")
    )
    return [f"{block.where}: the sample is stale; update it with: {samples.UPDATE}\n{diff}"]


def _session(block: Any) -> str:
    return samples.SAMPLES[block.key].session if block.key in samples.SAMPLES else ""


@pytest.mark.parametrize(
    "block",
    [b for b in BLOCKS if b.key in samples.SAMPLES and not _session(b)],
    ids=lambda b: b.where.replace("/", "-"),
)
def test_the_sample_is_what_the_commands_print(block: Any) -> None:
    problems = _problems(block)
    assert not problems, "\n".join(problems)


# A session's blocks build on each other (one server, one directory), so one test runs them all: a
# pytest-xdist worker holding any one of them would otherwise run the whole session again.
@pytest.mark.slow
@pytest.mark.parametrize("session", sorted({s.session for s in samples.SAMPLES.values() if s.session}))
def test_the_samples_of_a_session_are_what_its_commands_print(session: str) -> None:
    blocks = [b for b in BLOCKS if _session(b) == session]
    assert blocks, f"no console block belongs to the session {session!r}"
    problems = [problem for block in blocks for problem in _problems(block)]
    assert not problems, "\n".join(problems)


def test_normalising_forgives_only_sids_masks_durations_sizes_times_digests_and_codes() -> None:
    normalise = samples.normalise
    assert normalise("created VA61deba68c861184688bcf1c646fa9607 (0.01 s)") == "created VA… (N s)"
    assert normalise("account AC…4de3, 3.6 kB, 2026-11-26T06:17:58Z") == "account AC…, N B, TIME"
    assert normalise('"2026-11-26T06:17:58.250Z", "duration_ms": 12') == '"TIME", "duration_ms": N'
    assert normalise("sha256:" + "0a" * 32) == "sha256:…"
    assert normalise("sha256:" + "0a" * 31) != "sha256:…"  # not a digest: kept
    assert normalise("Your code is: 580407") == "Your code is: 580407"  # only a verification code
    assert normalise("verification code is: 580407.") == "verification code is: CODE."
    for kept in ("Plan: 18 to add", "exit 2", "VA…", "HJ0000000000000000000000000000000", "in 3 objects"):
        assert normalise(kept) == kept
    assert normalise("Plan: 18 to add") != normalise("Plan: 17 to add")


def test_an_elision_stands_for_any_lines_and_nothing_else_is_loose() -> None:
    matches = samples._matches
    assert matches(["a", "  …(more)", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "…", "d"], ["a", "d"])
    assert not matches(["a", "…", "d"], ["a", "b", "e"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a"], ["a", ""])


def _emulator_block(start: str) -> Any:
    [block] = [b for b in BLOCKS if b.key[0] == "docs/emulator.md" and b.key[1].startswith(start)]
    return block


def test_the_emulator_walkthrough_runs_and_a_wrong_value_on_the_page_fails() -> None:
    assert not [key for key in samples.EXEMPT if key[0] == "docs/emulator.md"]
    serve = _emulator_block("$ verifyctl emulator serve")
    outcome = samples.run_block(serve, samples.SAMPLES[serve.key])  # the session, run once per process
    assert outcome.matches(), outcome.problems
    # The token on the Account line must be the one the export line shows, as the server prints them.
    account = next(line for line in serve.lines if line.startswith("Account: "))
    token = account.rsplit(" ", 1)[1]
    wrong = samples.Block(
        serve.page,
        serve.start,
        tuple(line.replace(token, "f" * 32) if line == account else line for line in serve.lines),
    )
    assert not samples.Outcome(wrong, outcome.actual, []).matches()
    check = _emulator_block('$ curl -s -u "$TWILIO_ACCOUNT_…rvices/$VA/VerificationCheck')
    checked = samples.run_block(check, samples.SAMPLES[check.key])
    assert checked.matches(), checked.problems
    approved = tuple(line.replace('"pending"', '"approved"') for line in check.lines)
    assert not samples.Outcome(samples.Block(check.page, check.start, approved), checked.actual, []).matches()


def test_the_page_values_of_a_session_stand_for_the_run_s_both_ways(tmp_path: Path) -> None:
    run = samples._Run(
        tmp_path, {}, codes={"355775": "123456"}, values={"http://127.0.0.1:8765": "http://127.0.0.1:41234"}
    )
    assert (
        run.to_run("curl http://127.0.0.1:8765/v2 -d Code=355775")
        == "curl http://127.0.0.1:41234/v2 -d Code=123456"
    )
    assert run.to_page('"url": "http://127.0.0.1:41234/v2", code is: 123456') == (
        '"url": "http://127.0.0.1:8765/v2", code is: 355775'
    )


def test_a_continued_command_and_a_variable_reach_the_shell_as_the_page_shows_them(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    lines = ("$ echo one \\", "    two", "one two", "$ NAME=value-1", "$ echo $NAME", "value-1")
    block = samples.Block(ROOT / "docs" / "emulator.md", 1, lines)
    assert samples.commands(block)[0].line == "echo one \\\n    two"  # bash joins the lines itself
    run = samples._Run(workdir, samples._environment(workdir))
    outcome = samples._run_commands(block, samples.Sample(), run)
    assert outcome.matches(), (outcome.actual, outcome.problems)
    assert outcome.actual == list(lines)


def test_a_program_the_page_needs_and_the_machine_lacks_is_named(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    block = samples.Block(ROOT / "docs" / "emulator.md", 1, ("$ no-such-program-here --version", "1.0"))
    run = samples._Run(workdir, samples._environment(workdir))
    outcome = samples._run_commands(block, samples.Sample(), run)
    assert any("needs a program this machine lacks" in problem for problem in outcome.problems)
