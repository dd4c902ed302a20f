"""plan and apply over real HTTP against the emulator: convergence, field updates, drift, guards, faults."""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.integration.conftest import run_cli, writes
from verifyctl.config.loader import load_config
from verifyctl.emulator import EmulatorServer
from verifyctl.resources.from_config import desired_records
from verifyctl.resources.kinds import KINDS, SERVICE
from verifyctl.resources.records import count_records

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
# The single-account examples: examples/environments declares named environments, planned per --env
# (tests/integration/environments).
EXAMPLE_FILES = [str(path) for path in sorted(EXAMPLES.glob("*.yaml"))]
MG = "MG" + "0123456789abcdef" * 2
MG2 = "MG" + "fedcba9876543210" * 2
CR = "CR" + "0123456789abcdef" * 2
CR2 = "CR" + "fedcba9876543210" * 2


def example_object_count() -> int:
    config = load_config(EXAMPLE_FILES, os.environ)
    # From empty, each Safe List number to be present is one POST; an absent one costs no write.
    added = sum(1 for entry in config.safe_list if entry.ensure == "present")
    return count_records(desired_records(config.services)) + added


def clear_requests(server: EmulatorServer) -> None:
    # The admin token: the control endpoints need credentials.
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    requests.delete(f"{server.base_url}/__emulator__/requests", headers=headers, timeout=5).raise_for_status()


def api(server: EmulatorServer, method: str, path: str, data: Any = None) -> Any:
    response = requests.request(method, server.base_url + path, data=data, auth=server.accounts[0], timeout=5)
    response.raise_for_status()
    return response.json() if response.content else None


def write_config(directory: Path, document: dict[str, Any]) -> str:
    path = directory / "verifyctl.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(path)


def full_service(template_sid: str) -> dict[str, Any]:
    """A service that writes every writable field and every child kind."""
    return {
        "friendly_name": "Field Test",
        "code_length": 6,
        "lookup_enabled": True,
        "skip_sms_to_landlines": False,
        "dtmf_input_required": True,
        "tts_name": "Alice",
        "psd2_enabled": False,
        "do_not_share_warning_enabled": True,
        "custom_code_enabled": False,
        "push": {"include_date": False, "apn_credential_sid": CR, "fcm_credential_sid": CR},
        "totp": {"issuer": "Acme", "time_step": 30, "code_length": 6, "skew": 1},
        "default_template_sid": template_sid,
        "whatsapp": {"msg_service_sid": MG, "from": "+15017122661"},
        "passkeys": {
            "relying_party": {"id": "example.com", "name": "Example", "origins": ["https://example.com"]},
            "authenticator_attachment": "platform",
            "discoverable_credentials": "preferred",
            "user_verification": "required",
        },
        "verify_event_subscription_enabled": False,
        "rate_limits": [
            {"unique_name": "ip", "description": "per ip", "buckets": [{"interval": 60, "max": 5}]}
        ],
        "messaging_configurations": [{"country": "US", "messaging_service_sid": MG}],
        "webhooks": [
            {
                "friendly_name": "audit",
                "event_types": ["factor.created"],
                "webhook_url": "https://hooks.example.com/a",
                "status": "enabled",
                "version": "v2",
            }
        ],
    }


def template_sids(server: EmulatorServer) -> list[str]:
    return [str(t["sid"]) for t in api(server, "GET", "/v2/Templates")["templates"]]


def test_apply_examples_from_empty_converges_with_no_second_write(
    account: EmulatorServer, workdir: Path
) -> None:
    first = run_cli("apply", *EXAMPLE_FILES, "--auto-approve")
    assert first.exit_code == 0, first.stderr
    created = writes(account)
    assert len(created) == example_object_count()
    assert {r["method"] for r in created} == {"POST"} and {r["status"] for r in created} == {201}

    clear_requests(account)
    second = run_cli("apply", *EXAMPLE_FILES, "--auto-approve")
    assert second.exit_code == 0, second.stderr
    assert "No changes." in second.stdout
    assert writes(account) == []
    assert run_cli("plan", *EXAMPLE_FILES, "--detailed-exitcode").exit_code == 0


def test_plan_json_is_byte_identical_across_runs(account: EmulatorServer, workdir: Path) -> None:
    assert run_cli("apply", *EXAMPLE_FILES, "--auto-approve").exit_code == 0
    first = run_cli("plan", *EXAMPLE_FILES, "--format", "json")
    second = run_cli("plan", *EXAMPLE_FILES, "--format", "json")
    assert first.exit_code == 0 and first.stdout == second.stdout
    assert json.loads(first.stdout)["summary"] == {"add": 0, "change": 0, "destroy": 0, "replace": 0}


SERVICE_PATH = "/v2/Services/{service}"
KIND_OF_PATH = {
    SERVICE_PATH: "service",
    SERVICE_PATH + "/RateLimits/{rate_limit}": "rate_limit",
    SERVICE_PATH + "/RateLimits/{rate_limit}/Buckets/{bucket}": "bucket",
    SERVICE_PATH + "/MessagingConfigurations/US": "messaging_configuration",
    SERVICE_PATH + "/Webhooks/{webhook}": "webhook",
}
# (path into the document, new value, the request path, the one form parameter it must carry)
FIELD_EDITS: list[tuple[tuple[Any, ...], Any, str, str]] = [
    (("code_length",), 8, SERVICE_PATH, "CodeLength"),
    (("lookup_enabled",), False, SERVICE_PATH, "LookupEnabled"),
    (("skip_sms_to_landlines",), True, SERVICE_PATH, "SkipSmsToLandlines"),
    (("dtmf_input_required",), False, SERVICE_PATH, "DtmfInputRequired"),
    (("tts_name",), "Bob", SERVICE_PATH, "TtsName"),
    (("psd2_enabled",), True, SERVICE_PATH, "Psd2Enabled"),
    (("do_not_share_warning_enabled",), False, SERVICE_PATH, "DoNotShareWarningEnabled"),
    (("custom_code_enabled",), True, SERVICE_PATH, "CustomCodeEnabled"),
    (("push", "include_date"), True, SERVICE_PATH, "Push.IncludeDate"),
    (("push", "apn_credential_sid"), CR2, SERVICE_PATH, "Push.ApnCredentialSid"),
    (("push", "fcm_credential_sid"), CR2, SERVICE_PATH, "Push.FcmCredentialSid"),
    (("totp", "issuer"), "Other", SERVICE_PATH, "Totp.Issuer"),
    (("totp", "time_step"), 60, SERVICE_PATH, "Totp.TimeStep"),
    (("totp", "code_length"), 8, SERVICE_PATH, "Totp.CodeLength"),
    (("totp", "skew"), 2, SERVICE_PATH, "Totp.Skew"),
    (("whatsapp", "msg_service_sid"), MG2, SERVICE_PATH, "Whatsapp.MsgServiceSid"),
    (("whatsapp", "from"), "+15017122662", SERVICE_PATH, "Whatsapp.From"),
    (("passkeys", "relying_party", "id"), "example.org", SERVICE_PATH, "Passkeys.RelyingParty.Id"),
    (("passkeys", "relying_party", "name"), "Other", SERVICE_PATH, "Passkeys.RelyingParty.Name"),
    (
        ("passkeys", "relying_party", "origins"),
        ["https://example.com", "https://example.org"],
        SERVICE_PATH,
        "Passkeys.RelyingParty.Origins",
    ),
    (
        ("passkeys", "authenticator_attachment"),
        "cross-platform",
        SERVICE_PATH,
        "Passkeys.AuthenticatorAttachment",
    ),
    (("passkeys", "discoverable_credentials"), "required", SERVICE_PATH, "Passkeys.DiscoverableCredentials"),
    (("passkeys", "user_verification"), "discouraged", SERVICE_PATH, "Passkeys.UserVerification"),
    (("verify_event_subscription_enabled",), True, SERVICE_PATH, "VerifyEventSubscriptionEnabled"),
    (("friendly_name",), "Field Test Renamed", SERVICE_PATH, "FriendlyName"),
    (
        ("rate_limits", 0, "description"),
        "per address",
        SERVICE_PATH + "/RateLimits/{rate_limit}",
        "Description",
    ),
    (
        ("rate_limits", 0, "buckets", 0, "max"),
        9,
        SERVICE_PATH + "/RateLimits/{rate_limit}/Buckets/{bucket}",
        "Max",
    ),
    (
        ("messaging_configurations", 0, "messaging_service_sid"),
        MG2,
        SERVICE_PATH + "/MessagingConfigurations/US",
        "MessagingServiceSid",
    ),
    (
        ("webhooks", 0, "event_types"),
        ["factor.created", "challenge.approved"],
        SERVICE_PATH + "/Webhooks/{webhook}",
        "EventTypes",
    ),
    (
        ("webhooks", 0, "webhook_url"),
        "https://hooks.example.com/b",
        SERVICE_PATH + "/Webhooks/{webhook}",
        "WebhookUrl",
    ),
    (("webhooks", 0, "status"), "disabled", SERVICE_PATH + "/Webhooks/{webhook}", "Status"),
    (("webhooks", 0, "version"), "v1", SERVICE_PATH + "/Webhooks/{webhook}", "Version"),
]


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def test_each_field_change_is_one_update_carrying_only_that_field(
    account: EmulatorServer, workdir: Path
) -> None:
    first_template, second_template = template_sids(account)[:2]
    service = full_service(first_template)
    path = write_config(workdir, {"version": 1, "services": [service]})
    assert run_cli("apply", path, "--auto-approve").exit_code == 0

    live = api(account, "GET", "/v2/Services")["services"][0]
    ids = {"service": live["sid"]}
    ids["rate_limit"] = api(account, "GET", f"/v2/Services/{ids['service']}/RateLimits")["rate_limits"][0][
        "sid"
    ]
    ids["bucket"] = api(
        account, "GET", f"/v2/Services/{ids['service']}/RateLimits/{ids['rate_limit']}/Buckets"
    )["buckets"][0]["sid"]
    ids["webhook"] = api(account, "GET", f"/v2/Services/{ids['service']}/Webhooks")["webhooks"][0]["sid"]
    service["sid"] = ids["service"]  # pinned, so that the friendly_name edit is a rename

    edits = [*FIELD_EDITS, (("default_template_sid",), second_template, SERVICE_PATH, "DefaultTemplateSid")]
    checked = []
    for field_path, value, request_path, param in edits:
        document = {"version": 1, "services": [copy.deepcopy(service)]}
        _set(document["services"][0], field_path, value)
        write_config(workdir, document)
        plan = run_cli("plan", path, "--no-color")
        assert plan.exit_code == 0
        assert "Plan: 0 to add, 1 to change, 0 to destroy, 0 to replace." in plan.stdout, (
            field_path,
            plan.stdout,
        )
        child_list = field_path[0] in ("rate_limits", "messaging_configurations", "webhooks")
        shown_key = field_path[-1] if child_list else ".".join(field_path)
        assert f"~ {shown_key} = " in plan.stdout, (field_path, plan.stdout)

        clear_requests(account)
        assert run_cli("apply", path, "--auto-approve").exit_code == 0
        sent = writes(account)
        assert len(sent) == 1, (field_path, sent)
        assert sent[0]["path"] == request_path.format(**ids), field_path
        assert set(sent[0]["params"]) == {param}, (field_path, sent[0])  # type: ignore[arg-type]
        assert run_cli("plan", path, "--detailed-exitcode").exit_code == 0, field_path
        # Put the original value back for the next edit.
        write_config(workdir, {"version": 1, "services": [service]})
        assert run_cli("apply", path, "--auto-approve").exit_code == 0
        checked.append((KIND_OF_PATH[request_path], param))
    # Every field of every kind was edited, except child identities (those are replaces, tested below).
    expected = {
        (k.name, f.param) for k in KINDS.values() for f in k.fields if k is SERVICE or f.key != k.identity
    }
    assert set(checked) == expected


def _small_config(workdir: Path, webhooks: list[str], rate_limit: str = "ip", code_length: int = 6) -> str:
    return write_config(
        workdir,
        {
            "version": 1,
            "services": [
                {
                    "friendly_name": "Drift",
                    "code_length": code_length,
                    "rate_limits": [{"unique_name": rate_limit, "buckets": [{"interval": 60, "max": 5}]}],
                    "webhooks": [
                        {
                            "friendly_name": name,
                            "event_types": ["*"],
                            "webhook_url": "https://h.example.com/x",
                        }
                        for name in webhooks
                    ],
                }
            ],
        },
    )


def test_drift_is_reported_and_corrected_and_deleted_objects_recreated(
    account: EmulatorServer, workdir: Path
) -> None:
    path = _small_config(workdir, ["audit"])
    assert run_cli("apply", path, "--auto-approve").exit_code == 0
    sid = api(account, "GET", "/v2/Services")["services"][0]["sid"]
    api(account, "POST", f"/v2/Services/{sid}", {"CodeLength": "8"})
    webhook = api(account, "GET", f"/v2/Services/{sid}/Webhooks")["webhooks"][0]["sid"]
    api(account, "DELETE", f"/v2/Services/{sid}/Webhooks/{webhook}")

    drift = run_cli("plan", path, "--detailed-exitcode", "--no-color")
    assert drift.exit_code == 2
    assert "~ code_length = 8 -> 6" in drift.stdout
    assert "+ service[Drift]/webhook[audit]" in drift.stdout

    assert run_cli("apply", path, "--auto-approve").exit_code == 0
    assert run_cli("plan", path, "--detailed-exitcode").exit_code == 0
    assert api(account, "GET", f"/v2/Services/{sid}")["code_length"] == 6


def test_deletes_and_replaces_need_allow_delete(account: EmulatorServer, workdir: Path) -> None:
    path = _small_config(workdir, ["audit", "old"])
    assert run_cli("apply", path, "--auto-approve").exit_code == 0

    for edited in (
        _small_config(workdir, ["audit"]),
        _small_config(workdir, ["audit", "old"], rate_limit="IP"),
    ):
        clear_requests(account)
        refused = run_cli("apply", edited, "--auto-approve")
        assert refused.exit_code == 3, refused.stderr
        assert "--allow-delete" in refused.stderr
        assert writes(account) == []

    allowed = run_cli("apply", path, "--auto-approve", "--allow-delete")
    assert allowed.exit_code == 0, allowed.stderr
    assert run_cli("plan", path, "--detailed-exitcode").exit_code == 0


def test_sweeping_changes_need_force(account: EmulatorServer, workdir: Path) -> None:
    document = {
        "version": 1,
        "services": [{"friendly_name": f"Sweep {chr(65 + i)}", "code_length": 6} for i in range(10)],
    }
    path = write_config(workdir, document)
    assert run_cli("apply", path, "--auto-approve").exit_code == 0
    for service in document["services"][:4]:
        service["code_length"] = 8
    write_config(workdir, document)
    clear_requests(account)
    refused = run_cli("apply", path, "--auto-approve")
    assert refused.exit_code == 3 and "--force" in refused.stderr
    assert writes(account) == []
    assert run_cli("apply", path, "--auto-approve", "--force").exit_code == 0


def test_saved_plan_applies_once_and_is_refused_when_stale(account: EmulatorServer, workdir: Path) -> None:
    path = _small_config(workdir, ["audit"])
    assert run_cli("apply", path, "--auto-approve").exit_code == 0
    _small_config(workdir, ["audit"], code_length=7)
    assert run_cli("plan", path, "--out", "plan.json").exit_code == 0

    sid = api(account, "GET", "/v2/Services")["services"][0]["sid"]
    api(account, "POST", f"/v2/Services/{sid}", {"TtsName": "behind your back"})
    clear_requests(account)
    stale = run_cli("apply", "--plan", "plan.json")
    assert stale.exit_code == 3 and "stale" in stale.stderr
    assert writes(account) == []

    assert run_cli("plan", path, "--out", "plan.json").exit_code == 0
    fresh = run_cli("apply", "--plan", "plan.json")
    assert fresh.exit_code == 0, fresh.stderr
    assert api(account, "GET", f"/v2/Services/{sid}")["code_length"] == 7


def test_saved_plan_for_another_account_is_refused(account: EmulatorServer, workdir: Path) -> None:
    path = _small_config(workdir, ["audit"])
    assert run_cli("plan", path, "--out", "plan.json").exit_code == 0
    saved = json.loads(Path("plan.json").read_text())
    saved["account"]["sid_sha256"] = "sha256:" + "f" * 64
    Path("plan.json").write_text(json.dumps(saved))
    refused = run_cli("apply", "--plan", "plan.json")
    assert refused.exit_code == 3 and "made for account" in refused.stderr
    assert writes(account) == []


def test_apply_without_terminal_or_auto_approve_is_refused(account: EmulatorServer, workdir: Path) -> None:
    path = _small_config(workdir, ["audit"])
    refused = run_cli("apply", path)
    assert refused.exit_code == 3 and "--auto-approve" in refused.stderr
    assert writes(account) == []


def test_apply_converges_under_faults_without_duplicates(account: EmulatorServer, workdir: Path) -> None:
    account.set_faults(error_rate=0.2, throttle_rate=0.2, drop_rate=0.1)
    runs = 0
    for runs in range(1, 8):  # noqa: B007 (the count is reported below)
        if run_cli("apply", *EXAMPLE_FILES, "--auto-approve").exit_code == 0:
            break
    account.set_faults(error_rate=0.0, throttle_rate=0.0, drop_rate=0.0)
    assert run_cli("plan", *EXAMPLE_FILES, "--detailed-exitcode").exit_code == 0, (
        f"not converged after {runs} runs"
    )
    names = Counter(s["friendly_name"] for s in api(account, "GET", "/v2/Services?PageSize=1000")["services"])
    assert all(count == 1 for count in names.values()), names
    assert len(names) == len(load_config(EXAMPLE_FILES, os.environ).services)


@pytest.mark.parametrize("local_flag", [True])
def test_local_mode_keeps_state_between_runs(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, local_flag: bool
) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "VERIFYCTL_API_URL"):
        monkeypatch.delenv(name, raising=False)
    path = _small_config(workdir, ["audit"])
    assert run_cli("apply", path, "--local", "--auto-approve").exit_code == 0
    assert (workdir / ".verifyctl" / "local.sqlite3").exists()
    again = run_cli("plan", path, "--local", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout + again.stderr
