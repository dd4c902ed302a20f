"""What a pull request's author controls never takes over the action or its comment (issue 26)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.integration.action.support import (
    ACCOUNT,
    BOT,
    FakeGitHub,
    account_env,
    load_script,
    run_action,
    run_step,
)
from verifyctl.emulator import EmulatorServer
from verifyctl.render.markdown import code

EMULATOR_OPTIONS = {"accounts": [ACCOUNT]}
BACKTICKS = re.compile(r"`+")
HOSTILE = "x`<img src=x onerror=alert(1)></details>@octocat<!-- verifyctl-plan:staging -->``y`"


def outside_code_spans(line: str) -> str:
    """The line without its code spans, by CommonMark's rule: N backticks end at the next run of N."""
    kept, position = [], 0
    while (opening := BACKTICKS.search(line, position)) is not None:
        closing = next(
            (m for m in BACKTICKS.finditer(line, opening.end()) if m.group() == opening.group()), None
        )
        if closing is None:  # an unmatched run is literal text
            kept.append(line[position : opening.end()])
            position = opening.end()
            continue
        kept.append(line[position : opening.start()])
        position = closing.end()
    return "".join(kept) + line[position:]


def test_the_span_reader_follows_commonmark() -> None:
    assert outside_code_spans("a `b` c ``d`e`` f") == "a  c  f"
    assert outside_code_spans("a `b``c` <x>") == "a  <x>"
    assert outside_code_spans("`a` `` b") == " `` b"


@given(st.text(alphabet=st.sampled_from("`ab <>@|\\\n-!*_[]()#&;"), max_size=40))
def test_a_code_span_holds_any_value_whole(value: str) -> None:
    for make in (code, load_script().code):
        span = make(value)
        assert outside_code_spans(span) == "", span  # nothing of the value is outside the span
        fence = BACKTICKS.match(span)
        assert fence is not None
        inner = span[len(fence.group()) : -len(fence.group())]
        # CommonMark takes one space off each end when both ends have one (and the rest is not all spaces).
        if inner.startswith(" ") and inner.endswith(" ") and inner.strip(" "):
            inner = inner[1:-1]
        assert inner == (" ".join(value.splitlines()) or " ")


def test_no_value_in_a_plan_comment_leaves_its_code_span(
    runner: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    config = {
        "version": 1,
        "services": [
            {
                "friendly_name": "Acme Login",
                "code_length": 6,
                "tts_name": HOSTILE,
                "rate_limits": [{"unique_name": "end_user_phone", "buckets": [{"interval": 60, "max": 5}]}],
            }
        ],
    }
    (tmp_path / "repo" / "verify" / "verifyctl.yaml").write_text(json.dumps(config), encoding="utf-8")
    ran, _ = run_action(
        {**runner, **account_env(emulator)},
        tmp_path / "repo",
        INPUT_COMMAND="plan",
        INPUT_PATHS="verify/",
    )
    markdown = Path(ran.outputs["markdown"]).read_text(encoding="utf-8")
    first, *rest = markdown.splitlines()
    assert first == "<!-- verifyctl-plan:default -->"
    assert markdown.count("onerror") == 1, markdown  # the value is in the comment, as text
    for line in rest:
        prose = outside_code_spans(line)
        assert not re.search(r"[<@`]", prose.replace("<br>", "")), f"a value escaped its code span: {line}"


def _comment(env: dict[str, str], tmp_path: Path, text: str) -> str:
    markdown = tmp_path / "plan.md"
    markdown.write_text(f"<!-- verifyctl-plan:staging -->\n{text}\n", encoding="utf-8")
    return run_step("comment", env, tmp_path, INPUT_ENVIRONMENT="staging", MARKDOWN=str(markdown)).stdout


def test_only_the_tokens_own_comment_with_the_marker_is_updated(
    github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    fake, env = github
    # Another user's comment that starts with the marker, and the bot's comment of another tool.
    planted = {
        "id": 1,
        "body": "<!-- verifyctl-plan:staging -->\nLooks fine!",
        "user": {"id": 7, "login": "mallory"},
    }
    other_marker = {"id": 2, "body": "<!-- verifyctl-plan:staging-old -->\nold", "user": dict(BOT)}
    fake.comments.extend([dict(planted), dict(other_marker)])

    assert "Posted the plan comment" in _comment(env, tmp_path, "plan 1")
    assert "Updated the plan comment 1002" in _comment(env, tmp_path, "plan 2")
    assert fake.comments[:2] == [planted, other_marker]
    assert fake.comments[2]["body"] == "<!-- verifyctl-plan:staging -->\nplan 2\n"


def test_a_token_github_does_not_name_posts_and_never_updates(
    github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    fake, env = github
    env = {**env, "GITHUB_TOKEN": "ghs_unknown"}
    fake.comments.append({"id": 1, "body": "<!-- verifyctl-plan:staging -->\nx", "user": dict(BOT)})
    out = _comment(env, tmp_path, "plan")
    assert "::warning title=verifyctl plan comment::" in out and "Traceback" not in out
    assert [method for method, _, _ in fake.requests if method == "PATCH"] == []


def test_paths_are_never_read_as_options(
    runner: dict[str, str],
    emulator: EmulatorServer,
    github: tuple[FakeGitHub, dict[str, str]],
    tmp_path: Path,
) -> None:
    fake, _ = github  # stands in for the attacker's server: it records every request
    env = {**runner, **account_env(emulator)}
    ran, checked = run_action(
        env, tmp_path / "repo", INPUT_COMMAND="plan", INPUT_PATHS=f"--api-url={fake.url} verify/"
    )
    assert fake.requests == []
    assert f" -- --api-url={fake.url} verify/" in ran.stdout
    assert ran.outputs["exit-code"] not in ("0", "2") and checked.exit_code == 1


@pytest.mark.parametrize("args", ["--target 'service[Acme", '--var "A=b', "\\"])
def test_unbalanced_args_fail_the_job_with_a_message(
    runner: dict[str, str], tmp_path: Path, args: str
) -> None:
    ran, checked = run_action(runner, tmp_path / "repo", INPUT_COMMAND="validate", INPUT_ARGS=args)
    assert "Traceback" not in ran.stderr + ran.stdout
    assert ran.exit_code == 0 and ran.outputs["exit-code"] == "64"
    assert "::error title=verifyctl action input::the `args` input cannot be split" in ran.stdout
    assert "cannot be split" in Path(ran.outputs["markdown"]).read_text(encoding="utf-8")
    assert checked.exit_code == 1


@pytest.mark.parametrize("exit_code", ["abc", "", "1.5", "99999999999999999999", " 0; rm"])
def test_check_never_tracebacks_on_its_exit_code(
    runner: dict[str, str], tmp_path: Path, exit_code: str
) -> None:
    checked = run_step("check", runner, tmp_path, INPUT_COMMAND="plan", EXIT_CODE=exit_code)
    assert checked.exit_code == 1 and "Traceback" not in checked.stderr
    assert "::error title=verifyctl plan failed::no exit code from the run step" in checked.stdout


def test_exit_2_counts_as_changes_even_when_the_summary_has_none(
    runner: dict[str, str], tmp_path: Path
) -> None:
    # verifyctl's own word wins: a drift that the summary does not count (an unmanaged service) is drift.
    fake = tmp_path / "bin" / "fake-verifyctl"
    # It saves a plan whose summary counts nothing, and exits 2.
    fake.write_text(
        '#!/bin/sh\nwhile [ "$1" != --out ]; do shift; done\n'
        'echo \'{"summary": {"add": 0, "change": 0, "destroy": 0, "replace": 0}}\' > "$2"\nexit 2\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    ran, checked = run_action(
        {**runner, "ACTION_VERIFYCTL": str(fake)},
        tmp_path / "repo",
        INPUT_COMMAND="plan",
        INPUT_DETAILED_EXITCODE="true",
        INPUT_FAIL_ON_CHANGES="true",
    )
    assert ran.outputs["has-changes"] == "true" and checked.exit_code == 1
    assert "::error title=Drift detected::" in checked.stdout
