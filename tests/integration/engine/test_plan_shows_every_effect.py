"""A plan is a contract: cascaded deletes, targets that match nothing, the account and the guards, shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import run_cli, writes
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
MG = "MG" + "0123456789abcdef" * 2
MG2 = "MG" + "fedcba9876543210" * 2

CHECKOUT: dict[str, Any] = {
    "friendly_name": "Globex Checkout",
    "code_length": 6,
    "rate_limits": [
        {
            "unique_name": "end_user_phone",
            "buckets": [{"interval": 60, "max": 5}, {"interval": 3600, "max": 9}],
        },
        {
            "unique_name": "end_user_ip",
            "buckets": [{"interval": 60, "max": 3}, {"interval": 86400, "max": 20}],
        },
    ],
    "messaging_configurations": [
        {"country": "US", "messaging_service_sid": MG},
        {"country": "GB", "messaging_service_sid": MG2},
    ],
    "webhooks": [
        {
            "friendly_name": "audit",
            "event_types": ["*"],
            "webhook_url": "https://hooks.example.com/verify",
            "status": "enabled",
        }
    ],
}
# The service and its 9 children: 2 rate limits, 4 buckets, 2 messaging configurations, 1 webhook.
CHILDREN = [
    "service[Globex Checkout]/rate_limit[end_user_phone]",
    "service[Globex Checkout]/rate_limit[end_user_phone]/bucket[60]",
    "service[Globex Checkout]/rate_limit[end_user_phone]/bucket[3600]",
    "service[Globex Checkout]/rate_limit[end_user_ip]",
    "service[Globex Checkout]/rate_limit[end_user_ip]/bucket[60]",
    "service[Globex Checkout]/rate_limit[end_user_ip]/bucket[86400]",
    "service[Globex Checkout]/messaging_configuration[US]",
    "service[Globex Checkout]/messaging_configuration[GB]",
    "service[Globex Checkout]/webhook[audit]",
]


@pytest.fixture
def named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[EmulatorServer]:
    """An emulator whose one account has a name, the environment pointing at it, cwd in a tmp dir."""
    with EmulatorServer(
        accounts=[(ACCOUNT_SID, "token-1", "Globex Production")], retry_after_seconds=0
    ) as server:
        for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL", "NO_COLOR"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token-1")
        monkeypatch.setenv("VERIFYCTL_API_URL", server.base_url)
        monkeypatch.chdir(tmp_path)
        yield server


def write(document: dict[str, Any], name: str = "verifyctl.yaml") -> str:
    Path(name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return name


def applied(services: list[dict[str, Any]]) -> str:
    path = write({"version": 1, "services": services})
    run = run_cli("apply", path, "--auto-approve", "--allow-delete")
    assert run.exit_code == 0, run.stderr
    return path


def three_formats(path: str, *extra: str) -> tuple[str, dict[str, Any], str]:
    text = run_cli("plan", path, *extra)
    as_json = run_cli("plan", path, "--format", "json", *extra)
    markdown = run_cli("plan", path, "--format", "markdown", *extra)
    for run in (text, as_json, markdown):
        assert run.exit_code == 0, run.stderr
    return text.stdout, json.loads(as_json.stdout), markdown.stdout


def assert_cascade(text: str, plan: dict[str, Any], markdown: str, root: str, children: list[str]) -> None:
    for child in children:
        assert f"  - {child}   (deleted with {root})" in text
        assert f"`{child}`" in markdown
    cascaded = {c["address"]: c for c in plan["changes"] if c["deleted_with"] == root}
    assert sorted(cascaded) == sorted(children)
    assert all(c["action"] == "delete" for c in cascaded.values())


@pytest.mark.parametrize("how", ["ensure_absent", "prune"])
def test_a_deleted_service_lists_every_child_it_takes_along(named: EmulatorServer, how: str) -> None:
    applied([CHECKOUT])
    if how == "ensure_absent":
        path = write({"version": 1, "services": [{"friendly_name": "Globex Checkout", "ensure": "absent"}]})
    else:
        path = write({"version": 1, "prune": True, "services": []})
    text, plan, markdown = three_formats(path)
    assert "  - service[Globex Checkout]\n" in text
    assert_cascade(text, plan, markdown, "service[Globex Checkout]", CHILDREN)
    assert plan["summary"] == {"add": 0, "change": 0, "destroy": 10, "replace": 0}
    assert "Plan: 0 to add, 0 to change, 10 to destroy, 0 to replace." in text
    assert "Plan: 0 to add, 0 to change, 10 to destroy, 0 to replace." in markdown
    # The guard counts every object: the plan says so, and apply refuses without the flag.
    assert "Apply will need --allow-delete: 10 objects deleted." in text
    assert {"flag": "--allow-delete", "reason": "10 objects deleted"} in plan["guards"]
    assert "Apply will need `--allow-delete`: 10 objects deleted." in markdown
    assert "Apply will need --force: updates or deletes 10 of 10 live objects (100%, more than 30%)." in text
    named.clear_requests()
    refused = run_cli("apply", path, "--auto-approve")
    assert refused.exit_code == 3 and "deletes 10 objects" in refused.stderr
    assert writes(named) == []
    # Applied: one DELETE, the children go with the service, and everything is reported.
    done = run_cli("apply", path, "--auto-approve", "--allow-delete", "--force")
    assert done.exit_code == 0, done.stderr
    assert [(r["method"], r["status"]) for r in writes(named)] == [("DELETE", 204)]
    assert "Apply complete: 10 applied, 0 failed, 0 skipped." in done.stdout
    assert run_cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_a_removed_or_replaced_rate_limit_lists_its_buckets(named: EmulatorServer) -> None:
    applied([CHECKOUT])
    changed = json.loads(json.dumps(CHECKOUT))
    changed["rate_limits"] = [
        # A case-only respelling of end_user_phone: the API cannot rename, so it is replaced.
        {"unique_name": "End_User_Phone", "buckets": [{"interval": 60, "max": 5}]},
    ]
    path = write({"version": 1, "services": [changed]})
    text, plan, markdown = three_formats(path)
    replaced = "service[Globex Checkout]/rate_limit[End_User_Phone]"
    removed = "service[Globex Checkout]/rate_limit[end_user_ip]"
    assert f"  -/+ {replaced}   (unique_name cannot be updated)" in text
    assert_cascade(text, plan, markdown, replaced, [f"{replaced}/bucket[60]", f"{replaced}/bucket[3600]"])
    assert f"  - {removed}\n" in text
    assert_cascade(text, plan, markdown, removed, [f"{removed}/bucket[60]", f"{removed}/bucket[86400]"])
    # 1 replace; 1 rate limit and 4 buckets destroyed; 1 bucket created under the replacement.
    assert plan["summary"] == {"add": 1, "change": 0, "destroy": 5, "replace": 1}
    done = run_cli("apply", path, "--auto-approve", "--allow-delete", "--force")
    assert done.exit_code == 0, done.stderr
    assert run_cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_the_threshold_counts_children_deleted_with_their_parent(named: EmulatorServer) -> None:
    others = [{"friendly_name": f"Other {i}", "code_length": 6} for i in range(12)]
    applied([CHECKOUT, *others])
    # 22 live objects read; the service and its 9 children are 10 deletes: 45%, over the 30% bound.
    path = write(
        {
            "version": 1,
            "services": [{"friendly_name": "Globex Checkout", "ensure": "absent"}, *others],
        }
    )
    text, plan, _ = three_formats(path)
    assert plan["covered"] == 22
    assert "Apply will need --force: updates or deletes 10 of 22 live objects (45%, more than 30%)." in text
    refused = run_cli("apply", path, "--auto-approve", "--allow-delete")
    assert refused.exit_code == 3 and "--force" in refused.stderr


def test_a_mistyped_target_is_a_usage_error_with_a_suggestion(named: EmulatorServer) -> None:
    path = applied([CHECKOUT])
    write({"version": 1, "services": [{"friendly_name": "Globex Checkout", "ensure": "absent"}]}, path)
    for extra in ((), ("--detailed-exitcode",)):
        run = run_cli("plan", path, "--target", "service[Globex Chekout]", *extra)
        assert run.exit_code == 64
        assert run.stderr.splitlines()[-1] == (
            "Error: --target 'service[Globex Chekout]' matches nothing in the configuration or the account; "
            "did you mean service[Globex Checkout]?"
        )
        assert "No changes" not in run.stdout
    nothing = run_cli("plan", path, "--target", "service[Globex Checkout]/webhook[nope]")
    assert nothing.exit_code == 64 and "matches nothing" in nothing.stderr


def test_targets_match_by_each_kinds_identity_rules(named: EmulatorServer) -> None:
    changed = json.loads(json.dumps(CHECKOUT))
    path = applied([changed])
    changed["rate_limits"][0]["buckets"][0]["max"] = 6
    changed["messaging_configurations"][0]["messaging_service_sid"] = MG2
    write({"version": 1, "services": [changed]}, path)
    upper = run_cli("plan", path, "--target", "service[Globex Checkout]/rate_limit[END_USER_PHONE]")
    assert upper.exit_code == 0, upper.stderr
    assert "  ~ service[Globex Checkout]/rate_limit[end_user_phone]/bucket[60]" in upper.stdout
    assert "messaging_configuration" not in upper.stdout
    country = run_cli("plan", path, "--target", "service[Globex Checkout]/messaging_configuration[us]")
    assert country.exit_code == 0, country.stderr
    assert "  ~ service[Globex Checkout]/messaging_configuration[US]" in country.stdout
    assert "Targeting: service[Globex Checkout]/messaging_configuration[us]" in country.stdout
    assert "Note: this plan is limited by --target" in country.stdout


def test_a_targeted_plan_with_nothing_to_do_says_it_is_partial(named: EmulatorServer) -> None:
    other = {"friendly_name": "Globex Login", "code_length": 6}
    path = applied([CHECKOUT, other])
    write({"version": 1, "services": [{**CHECKOUT, "code_length": 8}, other]}, path)
    run = run_cli("plan", path, "--target", "service[Globex Login]", "--detailed-exitcode")
    assert run.exit_code == 0
    assert "No changes. The live account matches" not in run.stdout
    assert "No changes under the targets. Objects outside them were not compared." in run.stdout


def test_the_account_is_named_in_every_format_and_in_the_prompt(
    named: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write({"version": 1, "services": [{"friendly_name": "Globex Login", "code_length": 6}]})
    text, plan, markdown = three_formats(path)
    assert text.startswith(f"Account: AC…cdef (Globex Production) at {named.base_url}\n")
    assert plan["account"] == {
        "sid": "AC…cdef",
        "friendly_name": "Globex Production",
        "sid_sha256": plan["account"]["sid_sha256"],
    }
    assert ACCOUNT_SID not in json.dumps(plan)
    assert "Account `AC…cdef (Globex Production)`" in markdown
    # The prompt names the account; answering no changes nothing.
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("click.confirm", _record_prompt)
    prompts.clear()
    refused = run_cli("apply", path)
    assert prompts == ["Apply 1 change to account AC…cdef (Globex Production)?"]
    assert refused.exit_code == 3 and writes(named) == []


prompts: list[str] = []


def _record_prompt(text: str, **_: Any) -> bool:
    prompts.append(text)
    return False
