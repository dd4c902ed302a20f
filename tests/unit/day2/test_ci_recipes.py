"""CI recipes and the pre-commit hook: valid YAML, only real verifyctl commands, exit codes as documented."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from verifyctl.config.loader import expand_paths

ROOT = Path(__file__).resolve().parents[3]
WORKFLOWS = ROOT / "examples" / "ci" / ".github" / "workflows"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
MARKER = "<!-- verifyctl-plan -->"
SECRETS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET")
SHELL_OPERATORS = re.compile(r"\s(?:\d?>|\||&&|;)")


def workflow(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict) and document["jobs"]
    return document


def triggers(document: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean true.
    return dict(document.get("on", document.get(True)))


def steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


def step(document: dict[Any, Any], name: str) -> dict[str, Any]:
    [found] = [s for s in steps(document) if s.get("name") == name]
    return found


def verifyctl_commands() -> list[list[str]]:
    """Every `verifyctl ...` command line in the workflows' run scripts and the hooks' entries."""
    lines: list[str] = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for found in steps(workflow(path.name)):
            lines += [line.strip() for line in str(found.get("run", "")).splitlines()]
    for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8")):
        lines.append(" ".join([hook["entry"], *hook.get("args", [])]))
    commands = []
    for line in lines:
        if line.startswith("verifyctl "):
            commands.append(shlex.split(SHELL_OPERATORS.split(line)[0])[1:])
    return commands


def test_the_recipes_are_three_workflows_and_the_examples_loader_skips_them() -> None:
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == [
        "verifyctl-apply.yml",
        "verifyctl-drift.yml",
        "verifyctl-plan.yml",
    ]
    files, problems, _ = expand_paths([ROOT / "examples"])
    assert files and not problems
    assert not [f for f in files if ".github" in f.parts]


def test_every_verifyctl_command_line_exists() -> None:
    commands = verifyctl_commands()
    assert {tuple(c[:1]) for c in commands} == {("validate",), ("lint",), ("plan",), ("apply",)}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Started together: each is a fresh interpreter, and they need not wait for one another.
    running = [
        (
            command,
            subprocess.Popen(
                [sys.executable, "-m", "verifyctl", *command, "--help"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for command in commands
    ]
    for command, process in running:
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, (command, stderr)
        assert stdout.startswith(f"Usage: verifyctl {command[0]} "), command


def test_plan_on_pull_requests_posts_one_comment_found_by_the_marker() -> None:
    document = workflow("verifyctl-plan.yml")
    assert "pull_request" in triggers(document)
    assert document["permissions"]["pull-requests"] == "write"
    plan = step(document, "Plan")
    assert "verifyctl plan" in plan["run"] and "--format markdown" in plan["run"]
    assert {name: plan["env"][name] for name in SECRETS} == {n: f"${{{{ secrets.{n} }}}}" for n in SECRETS}
    comment = step(document, "Post or update the plan comment")
    assert comment["uses"].startswith("actions/github-script@")
    script = comment["with"]["script"]
    assert f"const marker = '{MARKER}'" in script
    assert "updateComment" in script and "createComment" in script and "startsWith(marker)" in script


def test_apply_on_merge_to_main() -> None:
    document = workflow("verifyctl-apply.yml")
    assert triggers(document)["push"]["branches"] == ["main"]
    apply = step(document, "Apply")
    assert "verifyctl apply" in apply["run"] and "--auto-approve" in apply["run"]
    assert set(SECRETS) <= set(apply["env"])
    assert document["concurrency"]["cancel-in-progress"] is False


def test_drift_check_is_scheduled() -> None:
    document = workflow("verifyctl-drift.yml")
    assert triggers(document)["schedule"][0]["cron"]
    assert "--detailed-exitcode" in step(document, "Check for drift")["run"]


@pytest.fixture
def fake_verifyctl(tmp_path: Path) -> dict[str, str]:
    """A `verifyctl` on PATH that prints $FAKE_OUT / $FAKE_ERR and exits $FAKE_EXIT, to drive the scripts."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "verifyctl"
    script.write_text('#!/bin/sh\nprintf "%s" "$FAKE_OUT"\nprintf "%s" "$FAKE_ERR" >&2\nexit "$FAKE_EXIT"\n')
    script.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "VERIFYCTL_CONFIG": "verify/",
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }


def run_step(script: str, env: dict[str, str], cwd: Path, **fake: str) -> subprocess.CompletedProcess[str]:
    # GitHub runs `run:` scripts with `bash --noprofile --norc -eo pipefail`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env={**env, **{f"FAKE_{k.upper()}": v for k, v in fake.items()}},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("exit_code", "job_exit", "says"),
    [
        ("0", 0, "No drift"),
        ("2", 2, "::error title=Drift detected::"),
        ("1", 1, "::error title=Drift check failed::verifyctl exited 1: an error, not drift"),
    ],
)
def test_drift_step_fails_on_drift_and_tells_errors_apart(
    fake_verifyctl: dict[str, str], tmp_path: Path, exit_code: str, job_exit: int, says: str
) -> None:
    script = step(workflow("verifyctl-drift.yml"), "Check for drift")["run"]
    ran = run_step(script, fake_verifyctl, tmp_path, out="~ service[A]\n", err="", exit=exit_code)
    assert ran.returncode == job_exit, ran.stdout + ran.stderr
    assert says in ran.stdout
    summary = tmp_path / "summary"
    assert (summary.exists() and "~ service[A]" in summary.read_text()) == (exit_code == "2")


@pytest.mark.parametrize("exit_code", ["0", "2", "1"])
def test_plan_step_always_leaves_a_comment_body(
    fake_verifyctl: dict[str, str], tmp_path: Path, exit_code: str
) -> None:
    script = step(workflow("verifyctl-plan.yml"), "Plan")["run"]
    markdown = f"{MARKER}\n### verifyctl plan\n\nsome plan\n"
    ran = run_step(script, fake_verifyctl, tmp_path, out=markdown, err="Error: boom\n", exit=exit_code)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "output").read_text() == f"exitcode={exit_code}\n"
    body = (tmp_path / "plan.md").read_text()
    assert body.startswith(MARKER)
    assert ("Error: boom" in body) == (exit_code == "1") and ("some plan" in body) == (exit_code != "1")


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_pre_commit_hooks_check_the_whole_configuration_when_yaml_changes(command: str) -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    hook = hooks[f"verifyctl-{command}"]
    assert hook["language"] == "python"
    assert hook["entry"] == f"verifyctl {command}" and hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert pattern.search("verify/login.yaml") and pattern.search("a.yml") and not pattern.search("a.json")
