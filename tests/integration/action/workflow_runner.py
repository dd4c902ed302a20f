"""A small stand-in for a GitHub runner: runs a recipe's jobs from the workflow YAML, step by step.

It runs what the recipes run, as GitHub would: each `run:` block with `bash -eo pipefail`, each use of
the verifyctl action by running action.yml's own steps (its `run:` blocks, with `${{ inputs.* }}` and
`${{ steps.*.outputs.* }}` resolved), a fresh GITHUB_OUTPUT per step, a shared GITHUB_STEP_SUMMARY,
and `if:` conditions. Only the expressions the recipes use are understood; any other one is an error,
so a recipe that grows a new construct makes its test fail instead of being skipped over.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.integration.action.support import ROOT, clean_environment

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
OUR_ACTION = "OWNER/verifyctl@"
CHECKOUT = "actions/checkout@"
UPLOAD_SARIF = "github/codeql-action/upload-sarif@"
UPLOAD_ARTIFACT = "actions/upload-artifact@"
SECRET_NAMES = (
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_KEY",
    "TWILIO_API_SECRET",
    "PARENT_TWILIO_AUTH_TOKEN",
)
JOBS = itertools.count(1)
UPLOADS = itertools.count(1)


@dataclass
class StepResult:
    """One step of a job: its name, whether it ran and passed, what it printed and wrote."""

    name: str
    outcome: str  # success, failure or skipped
    stdout: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class JobResult:
    """One job (one matrix entry): the GitHub Environment it named, and its steps."""

    name: str
    environment: str
    steps: list[StepResult]

    @property
    def succeeded(self) -> bool:
        return all(step.outcome != "failure" for step in self.steps)

    def step(self, name: str) -> StepResult:
        [found] = [step for step in self.steps if step.name == name]
        return found

    @property
    def log(self) -> str:
        return "".join(f"## {s.name} ({s.outcome})\n{s.stdout}" for s in self.steps)


@dataclass
class Runner:
    """The runner's fixed parts: a workspace (the checked-out repository), a temp folder, the event."""

    workspace: Path
    temp: Path
    event_name: str
    event: dict[str, Any]
    secrets: Mapping[str, Mapping[str, str]]  # GitHub Environment -> its secrets
    github_api: str = ""
    github_token: str = ""
    extra_env: Mapping[str, str] = field(default_factory=dict)
    # What upload-artifact steps uploaded: artifact name -> a copy of the file (names are unique in a run).
    artifacts: dict[str, Path] = field(default_factory=dict)

    def upload_artifact(self, inputs: Mapping[str, str]) -> dict[str, str]:
        """What actions/upload-artifact does with one file: keep a copy under its name, say where it is."""
        name, source = inputs["name"], Path(inputs["path"])
        assert name not in self.artifacts, f"an artifact named {name!r} was uploaded already in this run"
        if not source.is_file():
            assert inputs.get("if-no-files-found") != "error", f"no file to upload at {source}"
            return {}
        number = next(UPLOADS)
        kept = self.temp / "artifacts" / str(number) / source.name
        kept.parent.mkdir(parents=True)
        kept.write_bytes(source.read_bytes())
        self.artifacts[name] = kept
        url = f"https://github.com/acme/verify-config/actions/runs/1/artifacts/{number}"
        return {"artifact-id": str(number), "artifact-url": url}

    def job_env(self, temp: Path) -> dict[str, str]:
        """A job's variables: its own fresh temp folder (with the action's venv), summary and event."""
        temp.mkdir(parents=True)
        install_fake_venv(temp)
        event_path = temp / "event.json"
        event_path.write_text(json.dumps(self.event), encoding="utf-8")
        env = {
            **clean_environment(),
            "PYTHONPATH": str(ROOT),
            "RUNNER_TEMP": str(temp),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": "acme/verify-config",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_ACTOR": "octo-cat",
            "GITHUB_RUN_ID": "4242",
            "GITHUB_STEP_SUMMARY": str(temp / "step-summary.md"),
            **self.extra_env,
        }
        if self.github_api:
            env["GITHUB_API_URL"] = self.github_api
            env["GITHUB_GRAPHQL_URL"] = f"{self.github_api}/graphql"
        return env


def install_fake_venv(temp: Path) -> None:
    """What the action's install step leaves behind: `$RUNNER_TEMP/verifyctl-venv/bin/{python,verifyctl}`."""
    bin_dir = temp / "verifyctl-venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    verifyctl = bin_dir / "verifyctl"
    verifyctl.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m verifyctl "$@"\n', encoding="utf-8")
    verifyctl.chmod(0o755)
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(0o755)


def load_workflow(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _value(expression: str, context: Mapping[str, Any]) -> str:
    """The value of one `${{ }}` expression: a dotted name in the context, nothing else."""
    node: Any = context
    for part in expression.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise AssertionError(f"the test runner cannot evaluate ${{{{ {expression} }}}}")
        node = node[part]
    return "" if node is None else str(node)


def expand(text: Any, context: Mapping[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: _value(m.group(1), context), str(text))


def condition(expression: str | None, context: Mapping[str, Any], failed: bool, workspace: Path) -> bool:
    """An `if:`: `&&` of `!cancelled()`, `hashFiles('F') != ''` and `NAME == 'literal'` (or `!=`) terms.

    As on GitHub, a condition without a status function runs only while no earlier step failed.
    """
    if expression is None:
        return not failed
    body = EXPRESSION.fullmatch(expression.strip())
    text = body.group(1) if body else expression.strip()
    status_checked = False
    for term in (t.strip() for t in text.split("&&")):
        if term == "!cancelled()":
            status_checked = True
        elif match := re.fullmatch(r"hashFiles\('([^']+)'\) != ''", term):
            if not (workspace / match.group(1)).is_file():
                return False
        elif match := re.fullmatch(r"([\w.-]+) (==|!=) '([^']*)'", term):
            if (_value(match.group(1), context) == match.group(3)) != (match.group(2) == "=="):
                return False
        else:
            raise AssertionError(f"the test runner cannot evaluate the condition {expression!r}")
    return status_checked or not failed


def _bash(script: str, env: Mapping[str, str], cwd: Path) -> tuple[int, str, dict[str, str]]:
    output = Path(env["RUNNER_TEMP"]) / "step-output"
    output.write_text("", encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env={**env, "GITHUB_OUTPUT": str(output)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outputs = dict(
        line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line
    )
    return done.returncode, done.stdout + done.stderr, outputs


def run_our_action(
    runner: Runner, inputs: Mapping[str, str], step_env: Mapping[str, str], env: Mapping[str, str]
) -> tuple[int, str, dict[str, str]]:
    """The composite action: action.yml's steps with its inputs' defaults, as GitHub runs them."""
    action = load_workflow(ROOT / "action.yml")
    unknown = set(inputs) - set(action["inputs"])
    assert not unknown, f"inputs action.yml does not declare: {sorted(unknown)}"
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    values["github-token"] = runner.github_token
    values.update(inputs)
    steps: dict[str, dict[str, dict[str, str]]] = {"python": {"outputs": {"python-path": sys.executable}}}
    context = {"inputs": values, "steps": steps, "github": {"event_name": runner.event_name}}
    log, code = [], 0
    for step in action["runs"]["steps"]:
        if str(step.get("uses", "")).startswith("actions/setup-python@"):
            continue  # the runner's Python stands in
        if not condition(step.get("if"), context, code != 0, runner.workspace):
            continue
        if "uses" in step:
            assert str(step["uses"]).startswith(UPLOAD_ARTIFACT), step["uses"]
            uploaded = runner.upload_artifact({k: expand(v, context) for k, v in step["with"].items()})
            steps[step["id"]] = {"outputs": uploaded}
            continue
        step_vars = {k: expand(v, context) for k, v in (step.get("env") or {}).items()}
        cwd = runner.workspace / expand(step.get("working-directory", "."), context)
        all_env = {**env, **step_env, **step_vars, "GITHUB_ACTION_PATH": str(ROOT)}
        code, out, outputs = _bash(step["run"], all_env, cwd)  # a fresh GITHUB_OUTPUT each
        log.append(out)
        if "id" in step:
            steps[step["id"]] = {"outputs": outputs}
        if code != 0:
            break
    action_outputs = {name: expand(spec["value"], context) for name, spec in action["outputs"].items()}
    return code, "".join(log), action_outputs


def run_job(runner: Runner, name: str, job: dict[str, Any], matrix: Mapping[str, str]) -> JobResult:
    env = runner.job_env(runner.temp / f"job-{next(JOBS)}")
    github_environment = expand(job.get("environment", ""), {"matrix": matrix})
    secrets = runner.secrets.get(github_environment, {})
    steps: dict[str, dict[str, dict[str, str]]] = {}
    context: dict[str, Any] = {
        "matrix": matrix,
        "secrets": {k: secrets.get(k, "") for k in SECRET_NAMES},
        "steps": steps,
        "github": {"event_name": runner.event_name},
    }
    results: list[StepResult] = []
    failed = False
    for index, step in enumerate(job["steps"]):
        step_name = str(step.get("name") or step.get("uses") or f"step {index}")
        if not condition(step.get("if"), context, failed, runner.workspace):
            results.append(StepResult(step_name, "skipped"))
            continue
        step_env = {k: expand(v, context) for k, v in (step.get("env") or {}).items()}
        uses = str(step.get("uses", ""))
        outputs: dict[str, str] = {}
        if uses.startswith(CHECKOUT):
            code, out = 0, ""  # the workspace is the checked-out repository
        elif uses.startswith(UPLOAD_SARIF):
            sarif = json.loads((runner.workspace / expand(step["with"]["sarif_file"], context)).read_text())
            code, out = (0 if sarif.get("version") == "2.1.0" else 1), "uploaded the SARIF\n"
        elif uses.startswith(OUR_ACTION):
            inputs = {k: expand(v, context) for k, v in (step.get("with") or {}).items()}
            code, out, outputs = run_our_action(runner, inputs, step_env, env)
        elif "run" in step:
            code, out, outputs = _bash(step["run"], {**env, **step_env}, runner.workspace)
        else:
            raise AssertionError(f"the test runner does not know the step {step_name!r}")
        if "id" in step:
            steps[step["id"]] = {"outputs": outputs}
        failed = failed or code != 0
        results.append(StepResult(step_name, "failure" if code else "success", out, outputs))
    label = f"{name} ({', '.join(matrix.values())})" if matrix else name
    return JobResult(label, github_environment, results)


def run_workflow(path: Path, runner: Runner) -> list[JobResult]:
    """Every job of the workflow, matrix entries expanded, in order; a job whose `needs` failed is not run."""
    document = load_workflow(path)
    results: dict[str, list[JobResult]] = {}
    for name, job in document["jobs"].items():
        needs = job.get("needs") or []
        needed = [needs] if isinstance(needs, str) else needs
        if any(not results[need] or any(not r.succeeded for r in results[need]) for need in needed):
            results[name] = []
            continue
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        assert len(matrix) <= 1, f"a matrix the test runner does not expand: {matrix}"
        entries = [{key: str(v)} for key, values in matrix.items() for v in values] or [{}]
        results[name] = [run_job(runner, name, job, entry) for entry in entries]
    return [result for jobs in results.values() for result in jobs]
