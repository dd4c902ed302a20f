"""`apply --report FILE.json` against the emulator: every change with its request id, matched with the
emulator's log; written when apply fails or is refused too; a path it cannot write is refused first."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.integration.conftest import run_cli, writes
from tests.support.apply_reports import SCHEMA, report_of
from verifyctl.emulator import EmulatorServer

GITHUB = ("GITHUB_ACTOR", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT")

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

TWO_SERVICES = """\
version: 1
prune: true
services:
  - friendly_name: Acme Login
    code_length: 6
    webhooks:
      - friendly_name: events
        webhook_url: https://example.com/hook
        event_types: ["*"]
  - friendly_name: Beta Login
    code_length: 6
"""


@pytest.fixture
def here(account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory for an apply against the emulator, run by a local user named `auditor`."""
    for name in GITHUB:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOGNAME", "auditor")
    return workdir


def by_address(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {change["address"]: change for change in report["changes"]}


def logged_writes(server: EmulatorServer) -> dict[str, dict[str, object]]:
    """The emulator's log of answered writes, by request id."""
    return {str(entry["request_id"]): entry for entry in writes(server)}


def test_the_schema_is_a_valid_draft_2020_12_schema_that_refuses_what_it_should() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    change = {
        "address": "service[A]",
        "kind": "service",
        "action": "create",
        "sid": None,
        "result": "failed",
        "detail": "refused",
        "deleted_with": None,
        "request_id": "RQ" + "0" * 32,
        "http_status": 400,
        "duration_ms": 3,
        "error": None,  # a failed change must say why
        "requests": [],
    }
    assert not validator.is_valid({"$defs": {}})
    errors = list(validator.iter_errors(change | {"x": 1}))
    assert errors  # not a report at all
    item_schema = {"$ref": "#/$defs/change", "$defs": SCHEMA["$defs"]}
    change_validator = jsonschema.Draft202012Validator(item_schema)
    assert not change_validator.is_valid(change)
    assert change_validator.is_valid(change | {"error": {"http_status": 400, "code": 60200, "message": "m"}})
    assert not change_validator.is_valid(change | {"result": "applied", "request_id": "RQ-not-an-id"})
    assert not change_validator.is_valid(change | {"result": "bogus"})


def test_an_apply_reports_every_change_with_the_request_ids_the_emulator_logged(
    here: Path, account: EmulatorServer
) -> None:
    (here / "verifyctl.yaml").write_text(TWO_SERVICES, encoding="utf-8")
    account.clear_requests()

    run = run_cli("apply", "--auto-approve", "--report", "report.json")

    assert run.exit_code == 0, run.stderr
    report = report_of(here / "report.json")
    assert (report["outcome"], report["exit_code"], report["reason"]) == ("applied", 0, None)
    assert report["run_by"] == {"source": "local", "actor": "auditor", "run_url": None}
    assert report["account"]["sid"] == f"AC…{account.accounts[0][0][-4:]}"
    assert report["started_at"] <= report["ended_at"]
    assert report["summary"] == {"applied": 3, "failed": 0, "skipped": 0, "not_started": 0, "deleted_with": 0}
    logged = logged_writes(account)
    assert len(logged) == 3
    changes = by_address(report)
    assert set(changes) == {
        "service[Acme Login]",
        "service[Acme Login]/webhook[events]",
        "service[Beta Login]",
    }
    for change in changes.values():
        entry = logged[change["request_id"]]  # each change's request id is one the emulator answered
        assert (change["result"], change["http_status"], entry["status"]) == ("applied", 201, 201)
        assert [r["request_id"] for r in change["requests"]] == [change["request_id"]]
        assert change["sid"] and change["sid"] in (change["detail"] or "")
        assert str(entry["path"]).endswith(("/v2/Services", "/Webhooks"))
    # The plan's digest is that of the plan as `plan --out` saves it: plan again, nothing changed live.
    run = run_cli("plan", "--out", "after.json")
    assert (
        report["configuration"]["sha256"]
        == json.loads((here / "after.json").read_text())["configuration"]["sha256"]
    )


def test_updates_deletes_and_children_deleted_with_their_parent(here: Path, account: EmulatorServer) -> None:
    (here / "verifyctl.yaml").write_text(TWO_SERVICES, encoding="utf-8")
    assert run_cli("apply", "--auto-approve").exit_code == 0
    smaller = TWO_SERVICES.replace("code_length: 6\n", "code_length: 7\n", 2).split("    webhooks:")[0]
    smaller = smaller.replace("  - friendly_name: Acme Login\n    code_length: 7\n", "")
    smaller += "  - friendly_name: Beta Login\n    code_length: 7\n"
    (here / "verifyctl.yaml").write_text(smaller, encoding="utf-8")
    account.clear_requests()

    run = run_cli("apply", "--auto-approve", "--allow-delete", "--report", "report.json")

    assert run.exit_code == 0, run.stderr
    changes = by_address(report_of(here / "report.json"))
    logged = logged_writes(account)
    deleted, child, updated = (
        changes["service[Acme Login]"],
        changes["service[Acme Login]/webhook[events]"],
        changes["service[Beta Login]"],
    )
    assert (deleted["action"], deleted["result"], deleted["http_status"]) == ("delete", "applied", 204)
    assert logged[deleted["request_id"]]["path"] == f"/v2/Services/{deleted['sid']}"
    assert (updated["action"], updated["result"], updated["http_status"]) == ("update", "applied", 200)
    assert logged[updated["request_id"]]["params"] == ["CodeLength"]
    assert (child["result"], child["deleted_with"], child["requests"], child["request_id"]) == (
        "deleted_with",
        "service[Acme Login]",
        [],
        None,
    )
    assert len(logged) == 2  # the child's delete was its parent's


def test_a_failed_apply_reports_twilio_code_and_message(
    here: Path, account: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifyctl.config import models

    # A name only the API refuses (60209); validate's pattern is loosened to let it through.
    monkeypatch.setattr(models, "RATE_LIMIT_NAME_PATTERN", ".+")
    config = "version: 1\nservices:\n  - friendly_name: Refused\n    rate_limits:\n"
    config += "      - unique_name: has space\n"
    (here / "verifyctl.yaml").write_text(config, encoding="utf-8")

    run = run_cli("apply", "--auto-approve", "--report", "report.json")

    assert run.exit_code == 1
    report = report_of(here / "report.json")
    assert (report["outcome"], report["exit_code"]) == ("incomplete", 1)
    assert "fix the configuration" in report["reason"]
    failed = by_address(report)["service[Refused]/rate_limit[has space]"]
    assert failed["result"] == "failed"
    assert (failed["error"]["http_status"], failed["error"]["code"]) == (400, 60209)
    assert failed["error"]["message"]
    assert logged_writes(account)[failed["request_id"]]["status"] == 400
    assert by_address(report)["service[Refused]"]["result"] == "applied"


def test_an_apply_refused_by_a_guard_reports_nothing_applied_and_why(
    here: Path, account: EmulatorServer
) -> None:
    (here / "verifyctl.yaml").write_text(TWO_SERVICES, encoding="utf-8")
    assert run_cli("apply", "--auto-approve").exit_code == 0
    (here / "verifyctl.yaml").write_text("version: 1\nprune: true\nservices: []\n", encoding="utf-8")
    account.clear_requests()

    run = run_cli("apply", "--auto-approve", "--report", "report.json")

    assert run.exit_code == 3
    assert writes(account) == []
    report = report_of(here / "report.json")
    assert (report["outcome"], report["exit_code"]) == ("refused", 3)
    assert "--allow-delete" in report["reason"]
    assert report["summary"]["not_started"] == len(report["changes"]) == 3
    assert {c["result"] for c in report["changes"]} == {"not_started"}
    assert all(c["detail"].startswith("held back: ") for c in report["changes"])


def test_an_apply_that_fails_before_a_plan_still_writes_its_report(
    here: Path, account: EmulatorServer
) -> None:
    (here / "verifyctl.yaml").write_text("version: 1\nservices:\n  - code_length: 6\n", encoding="utf-8")

    run = run_cli("apply", "--auto-approve", "--report", "report.json")

    assert run.exit_code == 1
    report = report_of(here / "report.json")
    assert (report["outcome"], report["plan"], report["changes"]) == ("failed", None, [])
    assert "friendly_name" in report["reason"]
    assert writes(account) == []


def test_a_saved_plan_is_named_by_the_digest_of_its_file(here: Path, account: EmulatorServer) -> None:
    (here / "verifyctl.yaml").write_text(TWO_SERVICES, encoding="utf-8")
    assert run_cli("plan", "--out", "reviewed.json").exit_code == 0

    run = run_cli("apply", "--plan", "reviewed.json", "--report", "report.json")

    assert run.exit_code == 0, run.stderr
    report = report_of(here / "report.json")
    saved = (here / "reviewed.json").read_bytes()
    assert report["saved_plan"] == {
        "file": "reviewed.json",
        "sha256": "sha256:" + hashlib.sha256(saved).hexdigest(),
    }
    # The plan applied is the one reviewed, made again: its canonical JSON is the saved file's.
    assert report["plan"]["sha256"] == report["saved_plan"]["sha256"]
    assert report["configuration"]["sha256"] == json.loads(saved)["configuration"]["sha256"]


def test_a_github_actions_run_names_its_actor_and_run(
    here: Path, account: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    (here / "verifyctl.yaml").write_text("version: 1\nservices: []\n", encoding="utf-8")
    github = {
        "GITHUB_ACTOR": "octo-cat",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/verify-config",
        "GITHUB_RUN_ID": "1234567",
        "GITHUB_RUN_ATTEMPT": "2",
    }
    for name, value in github.items():
        monkeypatch.setenv(name, value)

    assert run_cli("apply", "--auto-approve", "--report", "report.json").exit_code == 0

    report = report_of(here / "report.json")
    assert report["outcome"] == "no_changes"
    assert report["run_by"] == {
        "source": "github-actions",
        "actor": "octo-cat",
        "run_url": "https://github.com/acme/verify-config/actions/runs/1234567/attempts/2",
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GITHUB_ACTOR", "octo cat\nforged: yes"),
        ("GITHUB_SERVER_URL", "javascript:alert(1)//"),
        ("GITHUB_REPOSITORY", "acme/../../evil"),
        ("GITHUB_RUN_ID", "12; rm -rf /"),
    ],
)
def test_malformed_github_variables_are_left_out(name: str, value: str) -> None:
    from verifyctl.cli.apply_report import run_by

    github = {
        "GITHUB_ACTOR": "octo-cat",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/verify-config",
        "GITHUB_RUN_ID": "1234567",
    }
    found = run_by(github | {name: value})
    assert found.source == "github-actions"
    if name == "GITHUB_ACTOR":
        assert (found.actor, found.run_url) == (
            None,
            "https://github.com/acme/verify-config/actions/runs/1234567",
        )
    else:
        assert (found.actor, found.run_url) == ("octo-cat", None)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/report.json", "cannot write missing/report.json: the directory missing does not exist"),
        ("a-file/report.json", "cannot write a-file/report.json: a-file is not a directory"),
        ("a-directory", "cannot write a-directory: it is a directory, and only a regular file is replaced"),
        ("-", "--report needs a file: standard output carries the plan and the apply's lines"),
    ],
)
def test_a_report_path_that_cannot_be_written_is_a_usage_error_before_anything_is_sent(
    here: Path, account: EmulatorServer, where: str, message: str
) -> None:
    (here / "verifyctl.yaml").write_text(TWO_SERVICES, encoding="utf-8")
    (here / "a-file").write_text("", encoding="utf-8")
    (here / "a-directory").mkdir()
    account.clear_requests()

    run = run_cli("apply", "--auto-approve", "--report", where)

    assert run.exit_code == 64
    assert message in run.stderr.strip().splitlines()[-1]
    assert account.requests() == []  # not even a read
    assert sorted(p.name for p in here.iterdir()) == ["a-directory", "a-file", "verifyctl.yaml"]


READER = ("SK" + "2" * 32, "secret-2", "AC" + "a" * 32, "read-only")


@pytest.mark.parametrize(
    "emulator", [{"accounts": [("AC" + "a" * 32, "token-a")], "api_keys": [READER]}], indirect=True
)
def test_an_apply_with_a_key_that_may_only_read_reports_nothing_applied(
    here: Path, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", READER[2])
    monkeypatch.setenv("TWILIO_API_KEY", READER[0])
    monkeypatch.setenv("TWILIO_API_SECRET", READER[1])
    (here / "verifyctl.yaml").write_text(TWO_SERVICES, encoding="utf-8")

    run = run_cli("apply", "--auto-approve", "--report", "report.json")

    assert run.exit_code == 3
    report = report_of(here / "report.json")
    assert (report["outcome"], report["exit_code"]) == ("refused", 3)
    assert report["reason"].startswith("the API key cannot write: POST /v2/Services was refused")
    assert report["reason"].endswith("nothing was written")
    assert report["summary"]["applied"] == 0
    assert [entry["status"] for entry in writes(emulator)] == [403]  # the one refused write, and no other


def test_a_report_that_cannot_be_written_at_the_end_fails_the_apply(
    here: Path, account: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifyctl.cli import apply_report
    from verifyctl.cli.files import WriteError

    def refuse(target: str, text: str) -> None:
        raise WriteError(f"cannot write {target}: No space left on device")

    monkeypatch.setattr(apply_report, "write_text", refuse)
    (here / "verifyctl.yaml").write_text(TWO_SERVICES, encoding="utf-8")

    run = run_cli("apply", "--auto-approve", "--report", "report.json")
    assert run.exit_code == 1  # applied, but the audit record is missing: not a success
    assert "Apply complete: 3 applied" in run.stdout
    assert run.stderr.strip().splitlines()[-1] == "Error: cannot write report.json: No space left on device"

    # After a failure, the failure stands; a line says the report is missing.
    (here / "verifyctl.yaml").write_text("version: 1\nprune: true\nservices: []\n", encoding="utf-8")
    run = run_cli("apply", "--auto-approve", "--report", "report.json")
    assert run.exit_code == 3
    lines = run.stderr.strip().splitlines()
    assert "Error: the apply report was not written: cannot write report.json: No space left" in lines[-2]
    assert "--allow-delete" in lines[-1]


def test_ctrl_c_while_reading_writes_an_interrupted_report(
    here: Path, account: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifyctl.engine import Engine

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Engine, "plan", interrupted)
    (here / "verifyctl.yaml").write_text(TWO_SERVICES, encoding="utf-8")

    run = run_cli("apply", "--auto-approve", "--report", "report.json")

    assert run.exit_code == 130
    report = report_of(here / "report.json")
    assert (report["outcome"], report["exit_code"], report["changes"]) == ("interrupted", 130, [])
    assert report["reason"] == "interrupted by SIGINT before any change was sent"
    assert report["account"]["api_url"] == account.base_url


def test_a_directory_that_may_not_be_written_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifyctl.cli import files
    from verifyctl.cli.apply_report import check_report_path
    from verifyctl.errors import UsageError

    monkeypatch.setattr(files.os, "access", lambda path, mode: False)  # as a user without the permission
    with pytest.raises(
        UsageError, match=r"^--report: cannot write .*report\.json: the directory .* is not writable$"
    ):
        check_report_path(str(tmp_path / "report.json"))
