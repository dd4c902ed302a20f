"""Drift as an issue, not a red X: the drift recipe's own job keeps one GitHub issue per environment.

The flow runs the recipe's staging job (workflow_runner.py, through action.yml's steps) against the
emulator and a fake GitHub: drift opens the issue, a different drift updates it, an error leaves it,
a matching account closes it. The step alone (scripts/action/drift_issue.py) is checked for what
the flow does not reach: unchanged drift, hostile names, someone else's issue, a token that cannot write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.integration.action.support import (
    ACCOUNT,
    BOT,
    ROOT,
    FakeGitHub,
    Step,
    account_env,
    run_script,
    run_step,
)
from tests.integration.action.test_action_hostile_inputs import HOSTILE, outside_code_spans
from tests.integration.action.test_recipes_end_to_end import (
    EMULATOR_OPTIONS,  # noqa: F401 (the `emulator` fixture reads the accounts and keys from this module)
    READ_SECRETS,
    STAGING_WRITE,
    WORKFLOWS,
    make_repository,
)
from tests.integration.action.workflow_runner import JobResult, Runner, load_workflow, run_job
from tests.integration.conftest import run_cli
from tests.integration.emulator.support import Api
from verifyctl.client.base_url import DEFAULT_BASE_URL
from verifyctl.emulator import EmulatorServer

SCRIPT = ROOT / "scripts" / "action" / "drift_issue.py"
MARKER = "<!-- verifyctl-drift:staging -->"
DRIFT = "Check for drift"
RUN = "[the drift check of run 4242](https://github.com/acme/verify-config/actions/runs/4242)"


def drift_check(
    repo: Path, tmp_path: Path, github: FakeGitHub, secrets: Mapping[str, Mapping[str, str]]
) -> JobResult:
    """The drift recipe's job for its first environment, staging, as a scheduled run runs it."""
    [job] = load_workflow(WORKFLOWS / "verifyctl-drift.yml")["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert job["strategy"]["matrix"]["environment"][0] == "staging"
    runner = Runner(repo, tmp_path / "runner", "schedule", {}, secrets, github.url, "ghs_fake-token")
    return run_job(runner, "drift", job, {"environment": "staging"})


def test_drift_opens_one_issue_updates_it_and_closes_it_when_the_account_matches(
    emulator: EmulatorServer,
    github: tuple[FakeGitHub, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, _ = github
    repo = tmp_path / "drift-repo"
    make_repository(repo, emulator)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "VERIFYCTL_API_URL", "VERIFYCTL_LOCAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_API_KEY", STAGING_WRITE[0])
    monkeypatch.setenv("TWILIO_API_SECRET", STAGING_WRITE[1])
    applied = run_cli("apply", str(repo / "verify"), "--env", "staging", "--auto-approve")
    assert applied.exit_code == 0, applied.stderr
    staging = Api(emulator.base_url, ACCOUNT)
    [login] = staging.get("/v2/Services").json()["services"]

    # Someone changes a setting by hand: the job passes, warns, and opens the environment's issue.
    assert staging.post(f"/v2/Services/{login['sid']}", {"CodeLength": "8"}).status_code == 200
    job = drift_check(repo, tmp_path, fake, READ_SECRETS)
    assert job.succeeded, job.log
    assert (
        "::warning title=Drift detected (staging)::the live account differs from the configuration; "
        "see issue #100"
    ) in job.step(DRIFT).stdout.splitlines()
    [issue] = fake.issues
    assert (issue["title"], issue["state"]) == ("verifyctl: drift in `staging`", "open")
    assert issue["body"].startswith(MARKER + "\n**Drift in `staging`**: the live account differs")
    assert "`code_length`: `8` → `6`" in issue["body"] and "Hand Made" not in issue["body"]
    assert documented_issue() == issue["body"].replace(f"`{emulator.base_url}`", f"`{DEFAULT_BASE_URL}`")
    assert fake.writes() == [("POST", "/repos/acme/verify-config/issues")]

    # The drift changes (a service nobody manages): the same issue shows it, and a comment says so.
    hand_made = staging.service("Hand Made")
    job = drift_check(repo, tmp_path, fake, READ_SECRETS)
    assert job.succeeded, job.log
    [issue] = fake.issues
    assert issue["state"] == "open" and "Hand Made" in issue["body"] and "`code_length`" in issue["body"]
    [changed] = fake.issue_comments[issue["number"]]
    assert changed == f"The drift changed ({RUN}): the description shows it now."
    assert fake.writes()[1:] == [("PATCH", "/repos/acme/verify-config/issues/100"), *comment_on(100)]

    # A drift check that fails (a key the account refuses) is an error, not drift: the issue stays.
    before = len(fake.requests)
    wrong = {"staging-read": {**READ_SECRETS["staging-read"], "TWILIO_API_SECRET": "not-the-secret-0123"}}
    job = drift_check(repo, tmp_path, fake, wrong)
    assert not job.succeeded
    assert "(an error, not drift): the drift issue is left as it is." in job.step(DRIFT).stdout
    assert "::error title=verifyctl plan failed (staging)::verifyctl exited 1 (an error, not drift)" in (
        job.step(DRIFT).stdout
    )
    assert fake.requests[before:] == [] and issue["state"] == "open"

    # The account matches the files again: the issue is closed, with a comment that says why.
    assert staging.post(f"/v2/Services/{login['sid']}", {"CodeLength": "6"}).status_code == 200
    assert staging.delete(f"/v2/Services/{hand_made['sid']}").status_code == 204
    job = drift_check(repo, tmp_path, fake, READ_SECRETS)
    assert job.succeeded and "No drift: closed issue #100." in job.step(DRIFT).stdout, job.log
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    closing = fake.issue_comments[100][-1]
    assert closing == f"✅ The live account of `staging` matches its configuration again ({RUN}): closing."
    assert fake.writes()[3:] == [*comment_on(100), ("PATCH", "/repos/acme/verify-config/issues/100")]
    assert len(fake.issues) == 1 and fake.comments == []


def comment_on(number: int) -> list[tuple[str, str]]:
    return [("POST", f"/repos/acme/verify-config/issues/{number}/comments")]


def documented_issue() -> str:
    """The issue body docs/ci.md shows (its account is on Twilio, where the test's is on the emulator)."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    [block] = re.findall(rf"```markdown\n({re.escape(MARKER)}\n.*?)```", text, flags=re.S)
    return str(block)


# The step alone: a run step's outputs stand in for verifyctl, the fake GitHub answers.


def issue_step(env: dict[str, str], tmp_path: Path, markdown: str, exit_code: str, **more: str) -> Step:
    path = tmp_path / "plan.md"
    path.write_text(markdown, encoding="utf-8")
    inputs = {"MARKDOWN": str(path), "EXIT_CODE": exit_code, "INPUT_DETAILED_EXITCODE": "true", **more}
    inputs.setdefault("HAS_CHANGES", "true" if exit_code == "2" else "false")
    return run_script([str(SCRIPT)], env, tmp_path, **inputs)


# Twilio takes letters, digits, spaces, dashes and underscores in a service's name: markdown emphasis.
SERVICE = "__Approved__ by _security_"
PLAN = "<!-- verifyctl-plan:staging -->\n### verifyctl plan: `staging`\n\n**Plan: 0 to add, 1 to change.**\n"


def test_unchanged_drift_writes_nothing_a_long_plan_is_cut_and_an_error_asks_github_nothing(
    github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    fake, env = github
    long = PLAN + "| x |\n" * 20_000  # more than an issue holds
    opened = issue_step(env, tmp_path, long, "2", INPUT_ENVIRONMENT="staging")
    assert "Drift: opened issue #100." in opened.stdout
    body = fake.issues[0]["body"]
    assert len(body) < 65_536
    assert body.endswith("\n\n_Drift truncated; the full plan is in the job log and summary._\n")
    again = issue_step(env, tmp_path, long, "2", INPUT_ENVIRONMENT="staging")
    assert "Drift, unchanged: issue #100 stays as it is." in again.stdout
    assert fake.writes() == [("POST", "/repos/acme/verify-config/issues")]
    before = len(fake.requests)
    failed = issue_step(env, tmp_path, PLAN, "1", INPUT_ENVIRONMENT="staging", HAS_CHANGES="true")
    assert failed.exit_code == 0, failed
    assert "verifyctl exited 1 (an error, not drift): the drift issue is left as it is." in failed.stdout
    assert fake.requests[before:] == [] and fake.issues[0]["state"] == "open"


@pytest.mark.parametrize(
    ("exit_code", "detailed", "has_changes", "outcome"),
    [
        ("2", "true", "true", "drift"),
        ("0", "false", "true", "drift"),  # without --detailed-exitcode, changes exit 0
        ("0", "true", "false", "clean"),
        ("2", "false", "true", "error"),  # exit 2 is success only with --detailed-exitcode
        ("4", "true", "true", "error"),  # policy errors: the plan is not the account's last word
        ("1", "true", "false", "error"),
        ("3", "true", "false", "error"),
        ("", "true", "false", "error"),
        ("2; rm -rf", "true", "true", "error"),
        ("99999", "true", "true", "error"),
    ],
)
def test_only_a_plan_that_succeeded_is_drift_or_no_drift(
    monkeypatch: pytest.MonkeyPatch, exit_code: str, detailed: str, has_changes: str, outcome: str
) -> None:
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    import drift_issue

    monkeypatch.setenv("EXIT_CODE", exit_code)
    monkeypatch.setenv("INPUT_DETAILED_EXITCODE", detailed)
    monkeypatch.setenv("HAS_CHANGES", has_changes)
    assert drift_issue.outcome() == outcome


def test_only_the_tokens_own_open_issue_with_the_marker_is_kept(
    github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    fake, env = github
    mallory = {"id": 7, "login": "mallory"}
    fake.issues += [
        {"number": 1, "state": "open", "body": f"{MARKER}\nplanted", "user": mallory},
        {
            "number": 2,
            "state": "open",
            "body": f"{MARKER}\npull request",
            "user": dict(BOT),
            "pull_request": {},
        },
        {"number": 3, "state": "closed", "body": f"{MARKER}\nlast month's", "user": dict(BOT)},
        {"number": 4, "state": "open", "body": "<!-- verifyctl-drift:staging-old -->\nx", "user": dict(BOT)},
    ]
    done = issue_step(env, tmp_path, PLAN, "2", INPUT_ENVIRONMENT="staging")
    assert "Drift: opened issue #104." in done.stdout
    assert (
        "No drift: closed issue #104."
        in issue_step(env, tmp_path, PLAN, "0", INPUT_ENVIRONMENT="staging").stdout
    )
    assert [i["state"] for i in fake.issues] == ["open", "open", "closed", "open", "closed"]
    assert [i["body"].split("\n", 1)[1] for i in fake.issues[:4]] == [
        "planted",
        "pull request",
        "last month's",
        "x",
    ]
    quiet = issue_step(env, tmp_path, PLAN, "0", INPUT_ENVIRONMENT="staging")
    assert quiet.exit_code == 0 and "No drift, and no drift issue open." in quiet.stdout


def test_a_token_that_cannot_keep_issues_fails_the_step_and_says_why(
    github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    fake, env = github
    fake.read_only = True
    done = issue_step(env, tmp_path, PLAN, "2", INPUT_ENVIRONMENT="staging")
    assert done.exit_code == 1 and "Traceback" not in done.stderr
    assert (
        "::error title=verifyctl drift issue (staging)::GitHub refused a request: HTTP 403 Resource not "
        "accessible by integration (the job needs `permissions: issues: write`)"
    ) in done.stdout.splitlines()
    missing = issue_step(
        env, tmp_path, PLAN, "2", INPUT_ENVIRONMENT="staging", MARKDOWN=str(tmp_path / "none.md")
    )
    assert missing.exit_code == 1
    assert (
        "::error title=verifyctl drift issue (staging)::the run step left no plan markdown" in missing.stdout
    )
    stranger = {**env, "GITHUB_TOKEN": "ghs_unknown"}
    unnamed = issue_step(stranger, tmp_path, PLAN, "2", INPUT_ENVIRONMENT="staging")
    assert unnamed.exit_code == 1 and "Traceback" not in unnamed.stderr
    assert "::error title=verifyctl drift issue (staging)::GitHub did not say whose the token is" in (
        unnamed.stdout
    )
    assert fake.issues == []


def test_hostile_environment_and_service_names_stay_text(
    emulator: EmulatorServer, github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    fake, env = github
    # A value of the file, and a service made by hand in the Console: both end up in the issue.
    config = {
        "version": 1,
        "services": [{"friendly_name": "Acme Login", "code_length": 6, "tts_name": HOSTILE}],
    }
    (tmp_path / "repo" / "verify" / "verifyctl.yaml").write_text(json.dumps(config), encoding="utf-8")
    assert Api(emulator.base_url, ACCOUNT).post("/v2/Services", {"FriendlyName": SERVICE}).status_code == 201
    plan = {"INPUT_COMMAND": "plan", "INPUT_PATHS": "verify/", "INPUT_DETAILED_EXITCODE": "true"}
    ran = run_step(
        "run", {**env, **account_env(emulator)}, tmp_path / "repo", **plan, INPUT_ARGS="--unmanaged-is-drift"
    )
    assert ran.outputs["exit-code"] == "2", ran.stderr
    name = "prod\n::add-mask::x`<b>@octocat</b>` <!-- verifyctl-drift:staging -->"
    markdown = Path(ran.outputs["markdown"]).read_text(encoding="utf-8")
    done = issue_step(env, tmp_path, markdown, "2", INPUT_ENVIRONMENT=name)
    assert done.exit_code == 0, done.stdout + done.stderr
    assert not [line for line in done.stdout.splitlines() if line.startswith("::add-mask")]
    [issue] = fake.issues
    first, *rest = issue["body"].splitlines()
    assert first == "<!-- verifyctl-drift:prod-add-mask-x-b-octocat-b----verifyctl-drift-staging -->"
    # The names are in the issue, as text: in code spans, or (the hand-made service) every mark escaped.
    assert issue["body"].count("onerror") == 1 and "\\_\\_Approved\\_\\_ by \\_security\\_" in issue["body"]
    for line in [issue["title"], *rest]:
        prose = re.sub(r"\\[!-/:-@\[-`{-~]", "", outside_code_spans(line)).replace("<br>", "")
        assert not re.search(r"[<@`_]", prose), f"a name escaped its code span: {line}"


def test_no_environment_name_starts_a_workflow_command_in_the_log(
    github: tuple[FakeGitHub, dict[str, str]], tmp_path: Path
) -> None:
    _, env = github
    name = "prod\n::warning::injected, 100%"
    logs = [
        run_step("check", env, tmp_path, INPUT_ENVIRONMENT=name, EXIT_CODE="1").stdout,
        run_step("check", env, tmp_path, INPUT_ENVIRONMENT=name, EXIT_CODE="x").stdout,
        issue_step(env, tmp_path, PLAN, "2", INPUT_ENVIRONMENT=name).stdout,
    ]
    for log in logs:
        assert [line for line in log.splitlines() if line.startswith("::")], log  # one command, escaped
        assert not [line for line in log.splitlines() if line.startswith("::warning::injected")], log
    assert "::error title=verifyctl plan failed (prod%0A%3A%3Awarning%3A%3Ainjected%2C 100%25)::" in logs[0]
