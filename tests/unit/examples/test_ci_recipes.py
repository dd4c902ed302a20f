"""CI recipes, action.yml and the pre-commit hook: structure, pinning, the workflow linters, real commands."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from verifyctl.cli.main import main
from verifyctl.config.loader import expand_paths

ROOT = Path(__file__).resolve().parents[3]
WORKFLOWS = ROOT / "examples" / "ci" / ".github" / "workflows"
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
SECRETS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET")
# Plans and drift checks get the read-only API key of `ENV-read`, never an auth token (a token can write).
READ_SECRETS = ("TWILIO_API_KEY", "TWILIO_API_SECRET")
ENVIRONMENTS = ["staging", "production"]
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# Node 24 majors; node20 ones (checkout v4, setup-python v5, github-script v7) no longer run.
CURRENT_MAJORS = {
    "actions/checkout": ("v5", "v6"),
    "actions/setup-python": ("v6",),
    "actions/upload-artifact": ("v6", "v7"),
}
ACTION_INPUTS = {
    "command",
    "paths",
    "environment",
    "detailed-exitcode",
    "fail-on-changes",
    "args",
    "comment",
    "drift-issue",
    "working-directory",
    "python-version",
    "report",
    "github-token",
}
ACTION_OUTPUTS = {"exit-code", "has-changes", "plan-file", "markdown", "report-file"}


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def workflow(name: str) -> dict[Any, Any]:
    document = load(WORKFLOWS / name)
    assert document["jobs"]
    return document


def triggers(document: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean true.
    found = document["on"] if "on" in document else document[True]
    assert isinstance(found, dict)
    return found


def steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    if "runs" in document:
        return list(document["runs"]["steps"])
    return [step for job in document["jobs"].values() for step in job["steps"]]


def action_steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    """The steps that use the verifyctl action."""
    return [s for s in steps(document) if str(s.get("uses", "")).startswith("OWNER/verifyctl@")]


def uses_lines(path: Path) -> list[tuple[str, str]]:
    """(ref, trailing comment) of every `uses:` line, as written."""
    found = re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)\s*(#.*)?$", path.read_text(encoding="utf-8"), flags=re.M)
    return [(ref, comment or "") for ref, comment in found]


def test_the_recipes_are_four_workflows_and_the_examples_loader_skips_them() -> None:
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == [
        "verifyctl-apply.yml",
        "verifyctl-drift.yml",
        "verifyctl-fleet.yml",
        "verifyctl-plan.yml",
    ]
    files, problems, _ = expand_paths([ROOT / "examples"])
    assert files and not problems
    assert not [f for f in files if ".github" in f.parts]


@pytest.mark.parametrize("path", [*sorted(WORKFLOWS.glob("*.yml")), ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_of_a_current_major_version(path: Path) -> None:
    found = uses_lines(path)
    assert found
    for ref, comment in found:
        assert PINNED.match(ref), f"{path.name}: {ref} is not pinned to a full commit SHA"
        version = re.match(r"#\s*(v\d+)(?:\.\d+){0,2}$", comment)
        assert version, f"{path.name}: {ref} has no version comment"
        name = ref.split("@")[0]
        if name in CURRENT_MAJORS:
            assert version.group(1) in CURRENT_MAJORS[name], f"{name} {version.group(1)} runs on node20"


@pytest.mark.parametrize("path", [*sorted(WORKFLOWS.glob("*.yml")), ACTION], ids=lambda p: p.name)
def test_no_expression_is_expanded_into_a_script_and_checkouts_keep_no_credentials(path: Path) -> None:
    document = load(path)
    for step in steps(document):
        assert "${{" not in str(step.get("run", "")), f"{path.name}: pass values through env:, not into run:"
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_every_recipe_runs_one_job_per_environment_with_that_environments_secrets() -> None:
    for name in ("verifyctl-plan.yml", "verifyctl-apply.yml", "verifyctl-drift.yml"):
        document = workflow(name)
        assert document["permissions"] == {}, f"{name}: jobs ask for the permissions they need"
        environments = []
        for job in document["jobs"].values():
            assert job["permissions"]["contents"] == "read"
            online = [s for s in action_steps({"jobs": {"job": job}}) if s["with"]["command"] != "validate"]
            reads = "matrix" in job.get("strategy", {})
            for step in online:
                passed = READ_SECRETS if reads else SECRETS
                assert step["env"] == {k: f"${{{{ secrets.{k} }}}}" for k in passed}
                assert step["with"]["paths"] == "verify/"
            if reads:
                # Plans and drift checks only read: a read-only key in an ungated `ENV-read` environment.
                assert job["environment"] == "${{ matrix.environment }}-read"
                assert {s["with"]["environment"] for s in online} == {"${{ matrix.environment }}"}
                assert job["strategy"]["fail-fast"] is False
                environments += job["strategy"]["matrix"]["environment"]
            else:
                assert {s["with"]["environment"] for s in online} == {job["environment"]}
                environments.append(job["environment"])
        assert environments == ENVIRONMENTS, name


def test_plan_on_pull_requests_comments_once_per_environment() -> None:
    document = workflow("verifyctl-plan.yml")
    assert "pull_request" in triggers(document)
    [job] = document["jobs"].values()
    assert job["permissions"]["pull-requests"] == "write"
    validate, step = action_steps(document)
    assert validate["with"] == {"command": "validate", "paths": "verify/"}
    assert step["if"] == "${{ !cancelled() }}"  # the comment says why, even after a failed validate
    assert step["with"]["command"] == "plan" and step["with"]["detailed-exitcode"] == "true"
    assert step["with"].get("comment", "true") == "true"
    assert document["concurrency"]["cancel-in-progress"] is True
    assert "pull_request.number" in document["concurrency"]["group"]


def test_apply_on_merge_staging_then_production_one_at_a_time() -> None:
    document = workflow("verifyctl-apply.yml")
    assert triggers(document)["push"]["branches"] == ["main"]
    assert document["concurrency"] == {"group": "verifyctl-apply", "cancel-in-progress": False}
    jobs = document["jobs"]
    assert jobs["production"]["needs"] == "staging" and jobs["production"]["environment"] == "production"
    for job in jobs.values():
        plan, apply = action_steps({"jobs": {"job": job}})
        assert plan["id"] == "plan" and plan["with"]["command"] == "plan"
        # It applies the plan just made (and shown in the job summary); deletes stay refused.
        assert apply["with"]["command"] == "apply"
        assert apply["with"]["args"] == "--plan ${{ steps.plan.outputs.plan-file }}"


def test_the_fleet_recipe_plans_and_applies_each_shard_of_a_matrix_once() -> None:
    document = workflow("verifyctl-fleet.yml")
    assert document["permissions"] == {}
    assert {"pull_request", "push"} <= set(triggers(document))
    [job] = document["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert job["strategy"]["fail-fast"] is False
    shards = job["strategy"]["matrix"]["shard"]
    count = len(shards)
    assert shards == list(range(1, count + 1))
    plan, apply = action_steps(document)
    assert plan["id"] == "plan" and plan["with"]["command"] == "plan"
    # Shards write to the job summary: one comment per environment would be overwritten by each shard.
    assert plan["with"]["comment"] == "false"
    assert apply["with"]["command"] == "apply" and apply["if"] == "${{ github.event_name != 'pull_request' }}"
    for step in (plan, apply):
        assert step["with"]["environment"] == "tenants" and step["with"]["paths"] == "verify/"
        assert f"--shard ${{{{ matrix.shard }}}}/{count}" in step["with"]["args"]
        assert step["env"] == {"PARENT_TWILIO_AUTH_TOKEN": "${{ secrets.PARENT_TWILIO_AUTH_TOKEN }}"}
    assert apply["with"]["args"].startswith("--plan ${{ steps.plan.outputs.plan-file }} ")


def test_drift_check_is_scheduled_and_keeps_an_issue_with_a_read_only_key() -> None:
    document = workflow("verifyctl-drift.yml")
    assert triggers(document)["schedule"][0]["cron"]
    [job] = document["jobs"].values()
    # Issues to write on GitHub; on Twilio the read-only key of `ENV-read` only.
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert job["environment"] == "${{ matrix.environment }}-read"
    [step] = action_steps(document)
    assert step["with"]["command"] == "plan"
    assert step["with"]["detailed-exitcode"] == step["with"]["drift-issue"] == "true"
    assert "fail-on-changes" not in step["with"]  # drift is an issue, not a red X


def test_action_yml_is_a_composite_action_with_the_documented_interface() -> None:
    action = load(ACTION)
    assert action["name"] == "verifyctl" and action["description"]
    assert set(action["inputs"]) == ACTION_INPUTS
    assert all(spec.get("description") for spec in action["inputs"].values())
    assert action["inputs"]["command"]["default"] == "plan"
    assert set(action["outputs"]) == ACTION_OUTPUTS
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
    assert action["runs"]["using"] == "composite"
    run_steps = [s for s in action["runs"]["steps"] if "run" in s]
    assert all(s["shell"] == "bash" for s in run_steps)
    install = next(s for s in run_steps if "pip install" in s["run"])
    assert '"$GITHUB_ACTION_PATH"' in install["run"]  # from the action's own ref, never by name from an index
    scripts = [s for s in run_steps if "verifyctl_action.py" in s["run"]]
    assert [s["run"].split()[-1] for s in scripts] == ["run", "comment", "report", "check"]
    [upload] = [
        s for s in action["runs"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@")
    ]
    assert upload["if"] == scripts[2]["if"] == "steps.run.outputs.has-report == 'true'"
    assert upload["with"]["if-no-files-found"] == "error"
    [issue] = [s for s in run_steps if "drift_issue.py" in s["run"]]
    assert issue["if"] == "inputs.drift-issue == 'true' && inputs.command == 'plan'"
    assert (ROOT / "scripts" / "action" / "drift_issue.py").is_file()
    assert (ROOT / "scripts" / "action" / "verifyctl_action.py").is_file()
    [run] = [s for s in scripts if s.get("id") == "run"]
    assert {f"INPUT_{name.upper().replace('-', '_')}" for name in ("command", "paths", "environment")} <= set(
        run["env"]
    )
    comment = scripts[1]
    assert (
        "github.event_name == 'pull_request'" in comment["if"] and "inputs.command == 'plan'" in comment["if"]
    )


def _load_action_script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "verifyctl_action", ROOT / "scripts" / "action" / "verifyctl_action.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_lines_the_recipes_run_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each recipe step's inputs, turned into the command line the action runs, passes click's parsing."""
    script = _load_action_script()
    commands = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for step in action_steps(workflow(path.name)):
            for key in list(os.environ):
                if key.startswith("INPUT_"):
                    monkeypatch.delenv(key)
            for name, value in step["with"].items():
                value = str(value).replace("${{ steps.plan.outputs.plan-file }}", "plan.json")
                value = value.replace("${{ matrix.shard }}", "1")
                monkeypatch.setenv(f"INPUT_{name.upper().replace('-', '_')}", value)
            argv, _ = script.build_argv(step["with"]["command"], tmp_path)
            commands.append(argv[1:])
    assert {c[0] for c in commands} == {"validate", "plan", "apply"}
    for command in sorted({tuple(c) for c in commands}):
        # --help before the `--` that ends the options (the paths follow it); in this process, as click
        # parses them the same here as in the console script.
        shown = io.StringIO()
        with contextlib.redirect_stdout(shown), pytest.raises(SystemExit) as exit_:
            main([*command[: command.index("--")], "--help"])
        assert exit_.value.code == 0, (command, shown.getvalue())
        assert shown.getvalue().startswith("Usage: verifyctl "), command


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' installs it)")
    return found


def test_actionlint_finds_nothing_in_the_recipes() -> None:
    actionlint = _tool("actionlint")
    files = [str(p.relative_to(WORKFLOWS.parents[1])) for p in sorted(WORKFLOWS.glob("*.yml"))]
    done = subprocess.run(
        [actionlint, "-no-color", *files],
        cwd=WORKFLOWS.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_offline_finds_no_medium_or_high_finding() -> None:
    zizmor = _tool("zizmor")
    done = subprocess.run(
        [zizmor, "--offline", "--min-severity", "medium", "--format", "plain",
         str(WORKFLOWS), str(ACTION)],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("GH_") and k != "GITHUB_TOKEN"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_pre_commit_hooks_check_the_whole_configuration_when_yaml_changes(command: str) -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    hook = hooks[f"verifyctl-{command}"]
    assert hook["language"] == "python"
    assert hook["entry"] == f"verifyctl {command}" and hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert pattern.search("verify/login.yaml") and pattern.search("a.yml") and not pattern.search("a.json")


def test_the_plan_recipe_uploads_the_lint_findings_to_code_scanning(tmp_path: Path) -> None:
    [job] = workflow("verifyctl-plan.yml")["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    [lint] = [s for s in job["steps"] if "--format sarif > verifyctl.sarif" in str(s.get("run", ""))]
    uses = [
        s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    ]
    assert [s["with"]["sarif_file"] for s in uses] == ["verifyctl.sarif"]
    # The line it runs, on the environments example with no variable set, writes SARIF.
    line = lint["run"].strip().splitlines()[-1]
    assert line.split()[1:5] == ["lint", "verify/", "--format", "sarif"]
    assert "||" not in line  # an error-level finding fails the job; the upload still runs after it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifyctl",
            "lint",
            str(ROOT / "examples" / "environments"),
            "--format",
            "sarif",
        ],
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["version"] == "2.1.0"


def test_the_examples_name_the_variables_the_recipes_pass() -> None:
    """examples/environments reads its credentials from the variables the apply recipe sets from secrets
    (plans and drift checks need API keys in every environment: docs/ci.md)."""
    environments = load(ROOT / "examples" / "environments" / "environments.yaml")["environments"]
    named = {name for env in environments.values() for name in env["credentials"].values()}
    for path in [WORKFLOWS / "verifyctl-apply.yml"]:
        for step in action_steps(workflow(path.name)):
            if step["with"]["command"] != "validate":
                assert named <= set(step["env"]), f"{path.name}: {sorted(named - set(step['env']))}"
