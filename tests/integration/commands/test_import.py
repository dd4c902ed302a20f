"""`verifyctl import` against the emulator: an account built through the API imports; plan shows no change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from tests.integration.commands.support import EVERY_SERVICE_PARAM, api, populate
from tests.integration.conftest import run_cli, writes
from verifyctl.emulator import EmulatorServer
from verifyctl.resources.codec import flatten
from verifyctl.resources.kinds import SERVICE


def services_in(text: str) -> list[dict[str, Any]]:
    document = yaml.safe_load(text)
    assert document["version"] == 1
    return list(document["services"])


def test_import_of_a_populated_account_plans_no_changes(account: EmulatorServer, workdir: Path) -> None:
    populate(account)
    imported = run_cli("import", "-o", "verifyctl.yaml")
    assert imported.exit_code == 0, imported.stderr
    assert "Imported 4 services (20 objects)" in imported.stderr

    account.clear_requests()
    plan = run_cli("plan", "--detailed-exitcode", "--no-color")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    assert "No changes." in plan.stdout
    assert writes(account) == []


def test_every_writable_field_and_every_child_list_is_written(account: EmulatorServer, workdir: Path) -> None:
    ids = populate(account)
    text = run_cli("import").stdout
    by_name: dict[str, list[dict[str, Any]]] = {}
    for service in services_in(text):
        by_name.setdefault(service["friendly_name"], []).append(service)

    [everything] = by_name["Everything Set"]
    written = set(flatten({k: v for k, v in everything.items() if not isinstance(v, list)}))
    assert written == set(SERVICE.field_keys)
    assert len(EVERY_SERVICE_PARAM) == len(SERVICE.fields)
    assert everything["whatsapp"] == {
        "msg_service_sid": EVERY_SERVICE_PARAM["Whatsapp.MsgServiceSid"],
        "from": "+15017122661",
    }
    assert everything["passkeys"]["relying_party"]["origins"] == [
        "https://example.com",
        "https://login.example.com",
    ]
    # The loader would expand `${...}`; the import keeps the live text by writing `$${`.
    assert everything["tts_name"] == "Say $${NOT_A_VARIABLE}"
    assert [r["unique_name"] for r in everything["rate_limits"]] == ["end_user_ip", "end_user_phone"]
    assert everything["rate_limits"][0] == {"unique_name": "end_user_ip", "buckets": []}
    assert everything["rate_limits"][1]["buckets"] == [
        {"interval": 60, "max": 3},
        {"interval": 3600, "max": 10},
    ]
    assert [m["country"] for m in everything["messaging_configurations"]] == ["US", "all"]
    assert everything["webhooks"][1] == {
        "friendly_name": "audit",
        "event_types": ["challenge.approved", "factor.created"],
        "webhook_url": "https://hooks.example.com/audit",
        "status": "disabled",
        "version": "v1",
    }
    assert list(everything)[:3] == ["friendly_name", "code_length", "lookup_enabled"]

    [plain] = by_name["Plain"]
    # Null live values (no TTS name, no passkeys) are left out: the format refuses null.
    assert "tts_name" not in plain and "passkeys" not in plain and "whatsapp" not in plain
    assert plain["rate_limits"] == [] and plain["webhooks"] == [] and plain["messaging_configurations"] == []

    shared = by_name["Shared Name"]
    assert [s["sid"] for s in shared] == ids["shared"]
    assert "sid" not in plain and "sid" not in everything
    assert list(shared[0])[:2] == ["friendly_name", "sid"]
    sids = ", ".join(ids["shared"])
    reason = f"# 2 live services are named 'Shared Name'; the sid pin says which one:\n  # {sids}\n"
    assert text.count(reason) == 2
    assert text.startswith("# yaml-language-server: $schema=schemas/verifyctl.schema.json\n")


def test_import_output_is_stable(account: EmulatorServer, workdir: Path) -> None:
    populate(account)
    first, second = run_cli("import"), run_cli("import")
    assert first.exit_code == 0 and first.stdout == second.stdout
    assert run_cli("import", "-o", "a.yaml").exit_code == 0
    assert Path("a.yaml").read_text(encoding="utf-8") == first.stdout


def test_split_writes_one_file_per_service_and_plans_no_changes(
    account: EmulatorServer, workdir: Path
) -> None:
    ids = populate(account)
    imported = run_cli("import", "--split", "services")
    assert imported.exit_code == 0, imported.stderr
    shared = sorted(f"shared-name-{sid.lower()[-8:]}.yaml" for sid in ids["shared"])
    assert sorted(os.listdir("services")) == sorted(["everything-set.yaml", "plain.yaml", *shared])
    for name in os.listdir("services"):
        text = (workdir / "services" / name).read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../schemas/verifyctl.schema.json\n")
        assert len(services_in(text)) == 1
    plan = run_cli("plan", "services", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr


def test_named_services_only_by_friendly_name_or_sid(account: EmulatorServer, workdir: Path) -> None:
    ids = populate(account)
    imported = run_cli("import", "Plain", ids["shared"][0].lower(), "-o", "some.yaml")
    assert imported.exit_code == 0, imported.stderr
    services = services_in(Path("some.yaml").read_text(encoding="utf-8"))
    assert [(s["friendly_name"], s.get("sid")) for s in services] == [
        ("Plain", None),
        ("Shared Name", ids["shared"][0]),
    ]
    plan = run_cli("plan", "some.yaml", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr

    both = services_in(run_cli("import", "Shared Name").stdout)
    assert [s["sid"] for s in both] == ids["shared"]


def test_an_unknown_service_is_an_error_naming_it(account: EmulatorServer, workdir: Path) -> None:
    populate(account)
    failed = run_cli("import", "Plain", "Nope", "VA" + "f" * 32, "-o", "x.yaml")
    assert failed.exit_code == 1
    assert f"no live service has the friendly name or SID 'Nope', 'VA{'f' * 32}'" in failed.stderr
    assert "'Everything Set', 'Plain', 'Shared Name'" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not Path("x.yaml").exists()


def test_existing_files_are_kept_without_overwrite(account: EmulatorServer, workdir: Path) -> None:
    populate(account)
    Path("mine.yaml").write_text("precious\n", encoding="utf-8")
    refused = run_cli("import", "-o", "mine.yaml")
    assert refused.exit_code == 3
    assert "Error: mine.yaml already exists; pass --overwrite to replace it" in refused.stderr
    assert Path("mine.yaml").read_text(encoding="utf-8") == "precious\n"
    assert run_cli("import", "-o", "mine.yaml", "--overwrite").exit_code == 0
    assert "precious" not in Path("mine.yaml").read_text(encoding="utf-8")

    Path("split").mkdir()
    Path("split/plain.yaml").write_text("precious\n", encoding="utf-8")
    refused = run_cli("import", "--split", "split")
    assert refused.exit_code == 3 and "plain.yaml already exists" in refused.stderr
    assert os.listdir("split") == ["plain.yaml"]
    assert run_cli("import", "--split", "split", "--overwrite").exit_code == 0
    assert len(os.listdir("split")) == 4


def test_the_old_spellings_still_work(account: EmulatorServer, workdir: Path) -> None:
    """--output and --force were import's flags before -o/--out and --overwrite; --force now warns."""
    populate(account)
    assert run_cli("import", "--output", "old.yaml").exit_code == 0
    assert run_cli("import", "--out", "new.yaml").exit_code == 0
    assert Path("old.yaml").read_text(encoding="utf-8") == Path("new.yaml").read_text(encoding="utf-8")
    forced = run_cli("import", "--output", "old.yaml", "--force")
    assert forced.exit_code == 0
    assert "Warning: import --force is deprecated; use --overwrite" in forced.stderr
    both = run_cli("import", "--out", "a.yaml", "--output", "b.yaml")
    assert both.exit_code == 64 and "--output is the old spelling of -o/--out" in both.stderr
    help_text = run_cli("import", "--help").stdout
    assert "--overwrite" in help_text and "--force" not in help_text and "--output" not in help_text


def test_output_and_split_together_is_a_usage_error(account: EmulatorServer, workdir: Path) -> None:
    failed = run_cli("import", "-o", "a.yaml", "--split", "d")
    assert failed.exit_code == 64 and "exclusive" in failed.stderr


def test_schema_ref_is_relative_to_the_file_or_given(account: EmulatorServer, workdir: Path) -> None:
    api(account, "POST", "/v2/Services", {"FriendlyName": "One"})
    Path("deep/er").mkdir(parents=True)  # -o makes no directories: a typo in one is an error
    assert run_cli("import", "-o", "deep/er/one.yaml").exit_code == 0
    first_line = Path("deep/er/one.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../../schemas/verifyctl.schema.json"
    custom = run_cli("import", "--schema-ref", "https://example.com/verifyctl.schema.json")
    assert custom.stdout.splitlines()[0].endswith("$schema=https://example.com/verifyctl.schema.json")
    assert "does not exist here" not in custom.stderr


def test_an_empty_account_imports_as_an_empty_list(account: EmulatorServer, workdir: Path) -> None:
    imported = run_cli("import", "-o", "verifyctl.yaml")
    assert imported.exit_code == 0
    assert services_in(Path("verifyctl.yaml").read_text(encoding="utf-8")) == []
    assert run_cli("plan", "--detailed-exitcode").exit_code == 0


def test_an_edit_to_one_of_two_imported_namesakes_reaches_that_service_only(
    account: EmulatorServer, workdir: Path
) -> None:
    ids = populate(account)
    untouched = api(account, "GET", f"/v2/Services/{ids['shared'][0]}")
    assert run_cli("import", "-o", "verifyctl.yaml").exit_code == 0
    document = yaml.safe_load(Path("verifyctl.yaml").read_text(encoding="utf-8"))
    second = next(s for s in document["services"] if s.get("sid") == ids["shared"][1])
    second["webhooks"][0]["webhook_url"] = "https://hooks.example.com/moved"
    second["code_length"] = 9
    # The account holds namesakes, a 4-digit code and a made-up template sid on purpose; the policy
    # would (rightly) refuse them, so this test waives those rules to reach what it is about.
    document["policy"] = {
        "rules": {
            rule: {"severity": "off", "reason": "this test is about something else"}
            for rule in ("duplicate-friendly-names", "code-length", "default-template-approved")
        }
    }
    Path("verifyctl.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    plan = run_cli("plan", "--no-color")
    address = f"service[{ids['shared'][1]}]"
    assert f"~ {address}\n" in plan.stdout and f"~ {address}/webhook[all events]" in plan.stdout
    targeted = run_cli("apply", "--target", address, "--auto-approve")
    assert targeted.exit_code == 0, targeted.stderr
    assert run_cli("plan", "--detailed-exitcode").exit_code == 0

    webhooks = {sid: api(account, "GET", f"/v2/Services/{sid}/Webhooks")["webhooks"] for sid in ids["shared"]}
    assert webhooks[ids["shared"][0]] == []
    moved = [w["webhook_url"] for w in webhooks[ids["shared"][1]] if w["friendly_name"] == "all events"]
    assert moved == ["https://hooks.example.com/moved"]
    assert api(account, "GET", f"/v2/Services/{ids['shared'][0]}") == untouched
    assert api(account, "GET", f"/v2/Services/{ids['shared'][1]}")["code_length"] == 9
