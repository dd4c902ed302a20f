"""The CI recipes end to end: their own steps, through the action, against the emulator and a fake GitHub.

One pull request weakens a service, then is fixed; it is merged and applied; a day later someone
changes the account by hand. Each workflow runs from its YAML in examples/ci (workflow_runner.py).
Pull requests and drift checks hold read-only keys, the merge's apply write keys, each account its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.integration.action.support import ACCOUNT, OTHER_ACCOUNT, ROOT, FakeGitHub
from tests.integration.action.workflow_runner import JobResult, Runner, run_workflow
from tests.integration.conftest import writes
from tests.integration.emulator.support import Api
from tests.support.apply_reports import report_of
from verifyctl.emulator import EmulatorServer

# Each account has a key that may only read (refused every write, as Twilio refuses a restricted key)
# and one that may write.
STAGING_READ = ("SK" + "5a" * 16, "staging-read-secret-0123456789ab", ACCOUNT[0], "read-only")
STAGING_WRITE = ("SK" + "5b" * 16, "staging-write-secret-0123456789a", ACCOUNT[0])
PRODUCTION_READ = ("SK" + "9a" * 16, "production-read-secret-012345678", OTHER_ACCOUNT[0], "read-only")
PRODUCTION_WRITE = ("SK" + "9b" * 16, "production-write-secret-01234567", OTHER_ACCOUNT[0])
EMULATOR_OPTIONS = {
    "accounts": [ACCOUNT, OTHER_ACCOUNT],
    "api_keys": [STAGING_READ, STAGING_WRITE, PRODUCTION_READ, PRODUCTION_WRITE],
}
WORKFLOWS = ROOT / "examples" / "ci" / ".github" / "workflows"
SERVICES = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: {code_length}
    rate_limits:
      - unique_name: end_user_phone
        buckets: [{{interval: 60, max: 5}}]
"""
# Plans and drift checks name `ENV-read` GitHub Environments, applies `ENV`: each run below gets only
# the environments it should use, so a recipe that named the other one would find no credentials.


def key_secrets(key: tuple[str, ...]) -> dict[str, str]:
    return {"TWILIO_API_KEY": key[0], "TWILIO_API_SECRET": key[1]}


READ_SECRETS = {"staging-read": key_secrets(STAGING_READ), "production-read": key_secrets(PRODUCTION_READ)}
WRITE_SECRETS = {"staging": key_secrets(STAGING_WRITE), "production": key_secrets(PRODUCTION_WRITE)}


def make_repository(repo: Path, emulator: EmulatorServer) -> None:
    (repo / "verify").mkdir(parents=True)
    (repo / "verify" / "environments.yaml").write_text(
        "version: 1\nenvironments:\n"
        + "".join(
            f"  {name}:\n    account_sid: {sid}\n"
            "    credentials: {api_key_env: TWILIO_API_KEY, api_secret_env: TWILIO_API_SECRET}\n"
            f"    api_url: {emulator.base_url}\n"  # the emulator stands in for api.twilio.com
            for name, sid in (("staging", ACCOUNT[0]), ("production", OTHER_ACCOUNT[0]))
        ),
        encoding="utf-8",
    )
    push(repo, code_length=6)


def push(repo: Path, code_length: int) -> None:
    (repo / "verify" / "services.yaml").write_text(SERVICES.format(code_length=code_length), encoding="utf-8")


def run(
    name: str,
    repo: Path,
    tmp_path: Path,
    github: FakeGitHub,
    event_name: str,
    secrets: Mapping[str, Mapping[str, str]],
    artifacts: dict[str, Path] | None = None,
) -> list[JobResult]:
    """The workflow's jobs; what they upload goes into `artifacts` when given."""
    event = {"pull_request": {"number": 7}} if event_name == "pull_request" else {}
    runner = Runner(repo, tmp_path / "runner", event_name, event, secrets, github.url, "ghs_fake-token")
    if artifacts is not None:
        runner.artifacts = artifacts
    return run_workflow(WORKFLOWS / name, runner)


def check_report_linked(job: JobResult, step: str, artifacts: Mapping[str, Path]) -> dict[str, Any]:
    """The apply report the job uploaded as an artifact, which its summary links; held to the schema."""
    name = f"verifyctl-apply-report-{job.environment}"
    assert f"**verifyctl apply report** (`{job.environment}`): [`{name}`](https://" in job.step(step).stdout
    return report_of(artifacts[name])


def markdown_of(job: JobResult, step: str) -> str:
    return Path(job.step(step).outputs["markdown"]).read_text(encoding="utf-8")


@pytest.mark.slow
def test_from_pull_request_to_drift(
    emulator: EmulatorServer, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    make_repository(repo, emulator)

    # A pull request weakens the service: every plan job fails, and its comment says why.
    push(repo, code_length=4)
    jobs = run("verifyctl-plan.yml", repo, tmp_path, fake_github, "pull_request", READ_SECRETS)
    assert [(job.name, job.environment, job.succeeded) for job in jobs] == [
        ("plan (staging)", "staging-read", False),
        ("plan (production)", "production-read", False),
    ]
    for job in jobs:
        outcomes = {step.name: step.outcome for step in job.steps}
        assert outcomes == {
            "actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8": "success",
            "Validate": "failure",
            "Plan": "failure",
            "Lint as SARIF": "failure",
            "Upload the lint findings to code scanning": "success",
        }, job.log
        assert (
            "policy errors without an exception, so apply would refuse this plan" in job.step("Plan").stdout
        )
    comments = {c["body"].splitlines()[0]: c for c in fake_github.comments}
    assert set(comments) == {"<!-- verifyctl-plan:staging -->", "<!-- verifyctl-plan:production -->"}
    for comment in comments.values():
        assert "❌ **This plan fails (exit code 4)**" in comment["body"]
        assert "error[code-length]: code_length is 4; set it to at least 6" in comment["body"]
    assert emulator_services(emulator, ACCOUNT) == {}  # a pull request never writes

    # The author fixes it: the plan jobs pass, and the same two comments now show the plan.
    push(repo, code_length=6)
    jobs = run("verifyctl-plan.yml", repo, tmp_path, fake_github, "pull_request", READ_SECRETS)
    assert [job.succeeded for job in jobs] == [True, True], [job.log for job in jobs]
    assert len(fake_github.comments) == 2
    for comment in fake_github.comments:
        assert "**Plan: 3 to add, 0 to change, 0 to destroy, 0 to replace.**" in comment["body"]
        assert "This plan fails" not in comment["body"]

    assert writes(emulator) == []  # the pull request's jobs held keys that only read, and sent no write

    # Had the apply jobs been given the read-only keys, staging would stop at its first write, with
    # one line and nothing written, and production would not start.
    misplaced = {"staging": READ_SECRETS["staging-read"], "production": READ_SECRETS["production-read"]}
    artifacts: dict[str, Path] = {}
    jobs = run("verifyctl-apply.yml", repo, tmp_path, fake_github, "push", misplaced, artifacts)
    assert [(job.name, job.succeeded) for job in jobs] == [("staging", False)]
    report = check_report_linked(jobs[0], "Apply the saved plan", artifacts)
    assert (report["outcome"], report["exit_code"], report["summary"]["applied"]) == ("refused", 3, 0)
    refused = jobs[0].step("Apply the saved plan")
    assert (
        "Error: the API key cannot write: POST /v2/Services was refused: Authorization Failed (Twilio error"
        " 70051: https://www.twilio.com/docs/errors/70051); the credentials in TWILIO_API_KEY/"
        "TWILIO_API_SECRET may only read (enough for plan, show and drift checks): writes need a key with"
        " Verify write permissions; nothing was written"
    ) in refused.stdout.splitlines(), refused.stdout
    assert refused.outputs["exit-code"] == "3"
    assert [(w["method"], w["status"]) for w in writes(emulator)] == [("POST", 403)]
    emulator.clear_requests()

    # The merge: each job plans, then applies that saved plan, staging first.
    artifacts = {}
    jobs = run("verifyctl-apply.yml", repo, tmp_path, fake_github, "push", WRITE_SECRETS, artifacts)
    assert [(job.name, job.environment, job.succeeded) for job in jobs] == [
        ("staging", "staging", True),
        ("production", "production", True),
    ], [job.log for job in jobs]
    for job in jobs:
        saved = job.step("Plan").outputs["plan-file"]
        assert json.loads(Path(saved).read_text(encoding="utf-8"))["summary"]["add"] == 3
        assert f"--plan {saved} -- verify/" in job.step("Apply the saved plan").stdout
        assert "Apply complete: 3 applied, 0 failed, 0 skipped." in markdown_of(job, "Apply the saved plan")
        report = check_report_linked(job, "Apply the saved plan", artifacts)
        assert (report["outcome"], report["environment"]) == ("applied", job.environment)
        assert report["run_by"] == {
            "source": "github-actions",
            "actor": "octo-cat",
            "run_url": "https://github.com/acme/verify-config/actions/runs/4242",
        }
        assert report["saved_plan"]["sha256"] == report["plan"]["sha256"]
        logged = {entry["request_id"] for entry in writes(emulator)}
        assert {change["request_id"] for change in report["changes"]} <= logged
    assert emulator_services(emulator, ACCOUNT) == {"Acme Login": 6}
    assert emulator_services(emulator, OTHER_ACCOUNT) == {"Acme Login": 6}

    # The next day, someone changes staging by hand: a setting, and a service no file manages.
    staging = Api(emulator.base_url, ACCOUNT)
    [login] = [
        s for s in staging.get("/v2/Services").json()["services"] if s["friendly_name"] == "Acme Login"
    ]
    assert staging.post(f"/v2/Services/{login['sid']}", {"CodeLength": "8"}).status_code == 200
    staging.service("Hand Made")
    emulator.clear_requests()
    jobs = run("verifyctl-drift.yml", repo, tmp_path, fake_github, "schedule", READ_SECRETS)
    assert writes(emulator) == []  # drift checks hold read-only keys
    drift, quiet = jobs
    # Drift is an issue, not a red X: the job passes, and staging's drift issue holds the plan.
    assert (drift.name, drift.environment, drift.succeeded) == ("drift (staging)", "staging-read", True)
    assert "::warning title=Drift detected (staging)::" in drift.step("Check for drift").stdout
    summary = markdown_of(drift, "Check for drift")
    assert "`code_length`: `8` → `6`" in summary
    # Needs the unmanaged-services report of plans (another branch): the hand-made service is named.
    assert "Hand Made" in summary, summary
    [issue] = fake_github.issues
    assert issue["body"].startswith("<!-- verifyctl-drift:staging -->\n") and "Hand Made" in issue["body"]
    assert (quiet.environment, quiet.succeeded) == ("production-read", True), quiet.log
    assert len(fake_github.comments) == 2  # drift checks and applies post no pull-request comment


def emulator_services(emulator: EmulatorServer, account: tuple[str, str]) -> dict[str, int]:
    services = Api(emulator.base_url, account).get("/v2/Services").json()["services"]
    return {s["friendly_name"]: s["code_length"] for s in services}
