"""The GitHub Action's steps (scripts/action/verifyctl_action.py) run offline against the emulator.

Each step runs as action.yml runs it, a fresh process with INPUT_* variables, a fake GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY, and for the comment a fake GitHub API on loopback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.integration.action.support import (
    ACCOUNT,
    OTHER_ACCOUNT,
    FakeGitHub,
    Step,
    account_env,
    load_script,
    run_action,
    run_step,
)
from tests.support.apply_reports import report_of
from verifyctl.emulator import EmulatorServer

EMULATOR_OPTIONS = {"accounts": [ACCOUNT, OTHER_ACCOUNT]}
REPORT_OUTPUTS = ("has-report", "report-file", "report-name")


def test_plan_apply_plan_produces_the_documented_outputs(
    runner: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    env = {**runner, **account_env(emulator)}
    repo = tmp_path / "repo"
    plan = {"INPUT_COMMAND": "plan", "INPUT_PATHS": "verify/", "INPUT_DETAILED_EXITCODE": "true"}

    ran, checked = run_action(env, repo, **plan)
    assert set(ran.outputs) == {"exit-code", "has-changes", "plan-file", "markdown", *REPORT_OUTPUTS}
    assert ran.exit_code == 0 and ran.outputs["exit-code"] == "2" and ran.outputs["has-changes"] == "true"
    saved = json.loads(Path(ran.outputs["plan-file"]).read_text(encoding="utf-8"))
    assert saved["summary"] == {"add": 3, "change": 0, "destroy": 0, "replace": 0}
    markdown = Path(ran.outputs["markdown"]).read_text(encoding="utf-8")
    assert markdown.startswith("<!-- verifyctl-plan:default -->\n### verifyctl plan\n")
    assert "**Plan: 3 to add, 0 to change, 0 to destroy, 0 to replace.**" in markdown
    assert markdown in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert checked.exit_code == 0 and "verifyctl plan: changes." in checked.stdout

    ran, checked = run_action(env, repo, INPUT_COMMAND="apply", INPUT_PATHS="verify/")
    assert ran.outputs["exit-code"] == "0" and ran.outputs["plan-file"] == "" and checked.exit_code == 0
    applied = Path(ran.outputs["markdown"]).read_text(encoding="utf-8")
    assert applied.startswith("<!-- verifyctl-apply:default -->\n### verifyctl apply succeeded\n")
    assert "Apply complete: 3 applied, 0 failed, 0 skipped." in applied

    ran, checked = run_action(env, repo, **plan)
    assert (ran.outputs["exit-code"], ran.outputs["has-changes"], checked.exit_code) == ("0", "false", 0)
    assert "No changes." in Path(ran.outputs["markdown"]).read_text(encoding="utf-8")


def test_drift_fails_the_job_and_an_error_is_told_apart(
    runner: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    drift = {
        "INPUT_COMMAND": "plan",
        "INPUT_PATHS": "verify/",
        "INPUT_DETAILED_EXITCODE": "true",
        "INPUT_FAIL_ON_CHANGES": "true",
    }
    ran, checked = run_action({**runner, **account_env(emulator)}, tmp_path / "repo", **drift)
    assert ran.outputs["exit-code"] == "2" and checked.exit_code == 1
    assert "::error title=Drift detected::" in checked.stdout

    wrong = {**runner, **account_env(emulator, (ACCOUNT[0], "not-the-token-0123456789abcdef012"))}
    ran, checked = run_action(wrong, tmp_path / "repo", **drift)
    assert ran.exit_code == 0 and ran.outputs["exit-code"] == "1" and ran.outputs["has-changes"] == "false"
    markdown = Path(ran.outputs["markdown"]).read_text(encoding="utf-8")
    assert markdown.startswith("<!-- verifyctl-plan:default -->\n### verifyctl plan failed (exit code 1)\n")
    assert "Error: " in markdown and "not-the-token" not in markdown
    assert checked.exit_code == 1
    assert "::error title=verifyctl plan failed::verifyctl exited 1 (an error, not drift)" in checked.stdout


def test_without_detailed_exitcode_a_plan_with_changes_exits_0_and_still_has_changes(
    runner: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    ran, checked = run_action(
        {**runner, **account_env(emulator)}, tmp_path / "repo", INPUT_COMMAND="plan", INPUT_PATHS="verify/"
    )
    assert (ran.outputs["exit-code"], ran.outputs["has-changes"], checked.exit_code) == ("0", "true", 0)


def test_validate_and_extra_args(runner: dict[str, str], tmp_path: Path) -> None:
    ran, checked = run_action(runner, tmp_path / "repo", INPUT_COMMAND="validate", INPUT_PATHS="verify/")
    assert ran.outputs["exit-code"] == "0" and checked.exit_code == 0
    assert "Valid: 1 file, 1 service, 3 objects" in Path(ran.outputs["markdown"]).read_text(encoding="utf-8")
    ran, checked = run_action(
        runner,
        tmp_path / "repo",
        INPUT_COMMAND="plan",
        INPUT_PATHS="verify/",
        INPUT_ARGS="--local --target 'service[Acme Login]'",
    )
    assert "+ " in ran.stdout and "--target 'service[Acme Login]'" in ran.stdout
    assert ran.outputs["exit-code"] == "0" and ran.outputs["has-changes"] == "true"


def script_without_inputs(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The action's script, loaded here, with no INPUT_* or ACTION_* variable of this process to read."""
    for key in list(os.environ):
        if key.startswith(("INPUT_", "ACTION_")):
            monkeypatch.delenv(key)
    return load_script()


def test_the_environment_input_passes_env_and_names_the_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = script_without_inputs(monkeypatch)
    monkeypatch.setenv("INPUT_PATHS", "verify/\nmore/")
    monkeypatch.setenv("INPUT_ENVIRONMENT", "production")
    monkeypatch.setenv("INPUT_DETAILED_EXITCODE", "true")
    monkeypatch.setenv("INPUT_ARGS", "--parallelism 4")
    argv, plan_file = script.build_argv("plan", tmp_path)
    assert argv == [
        "verifyctl", "plan", "--env", "production",
        "--format", "markdown", "--out", str(tmp_path / "verifyctl-plan-production.json"), "--no-color",
        "--detailed-exitcode", "--parallelism", "4", "--", "verify/", "more/",
    ]  # fmt: skip
    assert plan_file == tmp_path / "verifyctl-plan-production.json"
    assert script.marker() == "<!-- verifyctl-plan:production -->"
    rendered = script.render_markdown(
        "plan", 0, "<!-- verifyctl-plan -->\n### verifyctl plan\n\nNo changes.\n", ""
    )
    assert (
        rendered == "<!-- verifyctl-plan:production -->\n### verifyctl plan (`production`)\n\nNo changes.\n"
    )


def test_the_environment_input_end_to_end(
    runner: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    (tmp_path / "repo" / "verify" / "environments.yaml").write_text(
        f"version: 1\nenvironments:\n  staging:\n    account_sid: {ACCOUNT[0]}\n"
        f"    credentials: {{auth_token_env: STAGING_TOKEN}}\n    api_url: {emulator.base_url}\n",
        encoding="utf-8",
    )
    env = {**runner, "STAGING_TOKEN": ACCOUNT[1]}
    ran, checked = run_action(
        env, tmp_path / "repo", INPUT_COMMAND="plan", INPUT_PATHS="verify/", INPUT_ENVIRONMENT="staging"
    )
    assert ran.outputs["exit-code"] == "0" and checked.exit_code == 0, ran.stderr
    assert (
        Path(ran.outputs["markdown"])
        .read_text(encoding="utf-8")
        .startswith("<!-- verifyctl-plan:staging -->")
    )


def test_one_comment_per_environment_updated_in_place(
    github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    fake, env = github
    fake.comments.append({"id": 1, "body": "LGTM", "user": {"type": "User"}})

    def comment(environment: str, text: str) -> Step:
        markdown = tmp_path / f"{environment}.md"
        markdown.write_text(f"<!-- verifyctl-plan:{environment} -->\n{text}\n", encoding="utf-8")
        return run_step("comment", env, tmp_path, INPUT_ENVIRONMENT=environment, MARKDOWN=str(markdown))

    assert comment("staging", "plan 1").exit_code == 0
    assert comment("production", "plan 1").exit_code == 0
    assert "Updated the plan comment" in comment("staging", "plan 2").stdout
    assert [c["body"] for c in fake.comments] == [
        "LGTM",
        "<!-- verifyctl-plan:staging -->\nplan 2\n",
        "<!-- verifyctl-plan:production -->\nplan 1\n",
    ]
    writes = [method for method, path, _ in fake.requests if method != "GET" and path != "/graphql"]
    assert writes == ["POST", "POST", "PATCH"]
    assert all(auth == "Bearer ghs_fake-token" for _, _, auth in fake.requests)
    assert all(
        path.startswith("/repos/acme/verify-config/issues/")
        for _, path, _ in fake.requests
        if path != "/graphql"
    )


def test_the_comment_step_posts_the_run_steps_markdown_and_truncates_long_plans(
    github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    fake, env = github
    ran = run_step(
        "run", env, tmp_path / "repo", INPUT_COMMAND="plan", INPUT_PATHS="verify/", INPUT_ARGS="--local"
    )
    assert run_step("comment", env, tmp_path, MARKDOWN=ran.outputs["markdown"]).exit_code == 0
    [posted] = fake.comments
    assert posted["body"].startswith("<!-- verifyctl-plan:default -->\n### verifyctl plan\n")

    long = tmp_path / "long.md"
    long.write_text("<!-- verifyctl-plan:default -->\n" + "x" * 70_000, encoding="utf-8")
    assert run_step("comment", env, tmp_path, MARKDOWN=str(long)).exit_code == 0
    [updated] = fake.comments
    assert len(updated["body"]) < 65_536 and updated["body"].endswith("the job log and summary._\n")


def test_a_comment_that_cannot_be_posted_warns_without_failing(
    runner: dict[str, str], tmp_path: Path
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")
    markdown = tmp_path / "plan.md"
    markdown.write_text("<!-- verifyctl-plan:default -->\nplan\n", encoding="utf-8")
    env = {
        **runner,
        "GITHUB_API_URL": "http://127.0.0.1:9",  # nothing listens on the discard port
        "GITHUB_REPOSITORY": "acme/verify-config",
        "GITHUB_EVENT_PATH": str(event),
    }
    done = run_step("comment", env, tmp_path, MARKDOWN=str(markdown))
    assert done.exit_code == 0 and "::warning title=verifyctl plan comment::" in done.stdout
    no_pr = run_step(
        "comment", {**env, "GITHUB_EVENT_PATH": str(tmp_path / "none.json")}, tmp_path, MARKDOWN=str(markdown)
    )
    assert no_pr.exit_code == 0 and "no comment to post" in no_pr.stdout


def test_an_apply_writes_its_report_and_the_summary_links_the_uploaded_artifact(
    runner: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    env = {**runner, **account_env(emulator)}
    repo = tmp_path / "repo"
    apply = {
        "INPUT_COMMAND": "apply",
        "INPUT_PATHS": "verify/",
        "INPUT_ENVIRONMENT": "",
        "INPUT_REPORT": "true",
    }

    ran, checked = run_action(env, repo, **apply)

    report_file = Path(ran.outputs["report-file"])
    assert (ran.outputs["has-report"], ran.outputs["report-name"]) == (
        "true",
        "verifyctl-apply-report-default",
    )
    assert f"--report {report_file} -- verify/" in ran.stdout and checked.exit_code == 0
    report = report_of(report_file)
    assert (report["outcome"], report["summary"]["applied"]) == ("applied", 3)
    assert all(change["request_id"] for change in report["changes"])

    url = "https://github.com/acme/verify-config/actions/runs/1/artifacts/9"
    linked = run_step(
        "report",
        env,
        repo,
        REPORT_FILE=str(report_file),
        REPORT_NAME=ran.outputs["report-name"],
        ARTIFACT_URL=url,
    )
    line = (
        f"**verifyctl apply report**: [`verifyctl-apply-report-default`]({url}) — `applied`: 3 applied, "
        "0 failed, 0 skipped, 0 not started, 0 deleted with a parent.\n"
    )
    assert linked.exit_code == 0
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8").endswith(line + "\n")

    # A failed apply writes its report too; a URL that is not plain https is shown as no link.
    wrong = {**env, **account_env(emulator, (ACCOUNT[0], "not-the-token-0123456789abcdef012"))}
    ran = run_step("run", wrong, repo, **apply)
    assert (ran.outputs["exit-code"], ran.outputs["has-report"]) == ("1", "true")
    assert report_of(Path(ran.outputs["report-file"]))["outcome"] == "failed"
    hostile = "https://x.example/a) [click](https://evil.example"
    shown = run_step(
        "report", env, repo, REPORT_FILE=ran.outputs["report-file"], REPORT_NAME="n", ARTIFACT_URL=hostile
    )
    assert "**verifyctl apply report**: `n` — `failed`: 0 applied" in shown.stdout
    assert "evil" not in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")


def test_only_apply_with_the_report_input_writes_a_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = script_without_inputs(monkeypatch)
    monkeypatch.setenv("INPUT_ENVIRONMENT", "production")
    monkeypatch.setenv("INPUT_REPORT", "true")
    report = str(tmp_path / "verifyctl-apply-report-production.json")
    assert script.build_argv("apply", tmp_path)[0][-2:] == ["--report", report]
    assert "--report" not in script.build_argv("plan", tmp_path)[0]
    monkeypatch.setenv("INPUT_REPORT", "false")
    assert "--report" not in script.build_argv("apply", tmp_path)[0]
    assert script._report_outputs(None) == {"has-report": "false", "report-file": "", "report-name": ""}
