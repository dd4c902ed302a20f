"""Each rule: a fixture that triggers it (rule id, FILE:LINE:COL, exit code) and one that passes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.unit.lint.support import document, lint_json, load, service, write
from verifyctl.lint import RULES, TemplateInfo, run


@dataclass(frozen=True)
class Case:
    rule: str
    trigger: str
    # The line of the finding and the key it points at there (its column is found in the text).
    where: tuple[int, str]
    passing: str
    exit_code: int  # of `verifyctl lint` on the trigger, at the rule's default level


def at(text: str, line: int, key: str) -> tuple[int, int]:
    """(LINE, COL) of `key` on line `line` of `text`."""
    return line, text.splitlines()[line - 1].index(key) + 1


# Line 1 `version`, 2 `services:`, 3 `- friendly_name`, 4 the first key of the service body.
CASES = [
    Case(
        "code-length",
        document(service("    code_length: 5\n")),
        (4, "code_length"),
        document(service("    code_length: 6\n")),
        1,
    ),
    Case(
        "landline-skip-needs-lookup",
        document(service("    lookup_enabled: false\n    skip_sms_to_landlines: true\n")),
        (5, "skip_sms"),
        document(service("    lookup_enabled: true\n    skip_sms_to_landlines: true\n")),
        1,
    ),
    Case(
        "rate-limit-without-buckets",
        document(
            service("    rate_limits:\n      - unique_name: per_ip\n        buckets: []\n", limit=False)
        ),
        (6, "buckets"),
        document(
            service(
                "    rate_limits:\n      - {unique_name: per_ip, buckets: [{interval: 60, max: 5}]}\n",
                limit=False,
            )
        ),
        0,
    ),
    Case(
        "bucket-intervals",
        document(
            service(
                "    rate_limits:\n      - unique_name: per_ip\n        buckets:\n"
                "          - {interval: 60, max: 5}\n          - {interval: 3600, max: 5}\n",
                limit=False,
            )
        ),
        (8, "max"),
        document(
            service(
                "    rate_limits:\n      - unique_name: per_ip\n        buckets:\n"
                "          - {interval: 60, max: 5}\n          - {interval: 3600, max: 20}\n",
                limit=False,
            )
        ),
        0,
    ),
    Case(
        "webhook-disabled",
        document(
            service(
                "    webhooks:\n      - {friendly_name: audit, event_types: ['*'],"
                " webhook_url: 'https://h.example', status: disabled}\n"
            )
        ),
        (5, "status"),
        document(
            service(
                "    webhooks:\n      - {friendly_name: audit, event_types: ['*'],"
                " webhook_url: 'https://h.example', status: enabled}\n"
            )
        ),
        0,
    ),
    Case(
        "totp-ranges",
        document(
            service("    totp: {skew: 2}\n"),
            policy="policy:\n  rules:\n    totp-ranges: {max_skew: 1}\n",
        ),
        (4, "skew"),
        document(
            service("    totp: {skew: 1}\n"), policy="policy:\n  rules:\n    totp-ranges: {max_skew: 1}\n"
        ),
        1,
    ),
    Case(
        "psd2-noted",
        document(service("    psd2_enabled: true\n")),
        (4, "psd2_enabled"),
        document(service("    psd2_enabled: false\n")),
        0,
    ),
    Case(
        "service-without-rate-limit",
        document(service("    code_length: 6\n", limit=False)),
        (3, "friendly_name"),
        document(service("    code_length: 6\n")),
        0,
    ),
    Case(
        "duplicate-friendly-names",
        document(service("    code_length: 6\n"), service("    code_length: 6\n", name="acme-login")),
        (10, "friendly_name"),
        document(service("    code_length: 6\n"), service("    code_length: 6\n", name="Acme Checkout")),
        1,
    ),
]
# Rules whose trigger `validate` already refuses, or that need the live account: tested below instead.
NOT_FROM_YAML = {"webhook-https", "webhook-without-events", "default-template-approved"}


def test_every_rule_has_a_case() -> None:
    assert {case.rule for case in CASES} | NOT_FROM_YAML == {rule.id for rule in RULES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.rule)
def test_the_trigger_is_found_at_its_place(case: Case, tmp_path: Path) -> None:
    path = write(tmp_path, case.trigger)
    result, findings = lint_json(str(path))
    assert result.exit_code == case.exit_code, result.stdout + result.stderr
    found = [(f["rule"], f["file"], f["line"], f["column"]) for f in findings]
    assert (case.rule, str(path), *at(case.trigger, *case.where)) in found, found
    strict = lint_json(str(path), "--strict")[0]
    assert strict.exit_code == (0 if case.rule == "psd2-noted" else 1)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.rule)
def test_the_passing_fixture_has_no_finding_of_the_rule(case: Case, tmp_path: Path) -> None:
    result, findings = lint_json(str(write(tmp_path, case.passing)))
    assert case.rule not in {f["rule"] for f in findings}, findings
    assert result.exit_code == 0, result.stdout + result.stderr


WEBHOOK = document(
    service(
        "    webhooks:\n      - {friendly_name: audit, event_types: ['*'], webhook_url: 'https://h.example'}\n"
    )
)


def test_webhook_https_holds_for_desired_state_built_by_other_means() -> None:
    config = load(WEBHOOK)
    assert not [f for f in run(config) if f.rule == "webhook-https"]
    # Assignment skips validation: the way a caller could hand lint a URL that `validate` never saw.
    config.services[0].webhooks[0].webhook_url = "http://h.example"  # type: ignore[index]
    [finding] = [f for f in run(config) if f.rule == "webhook-https"]
    assert (finding.file, finding.line, finding.column, finding.level) == (
        "verifyctl.yaml",
        *at(WEBHOOK, 5, "webhook_url"),
        "error",
    )
    assert run(config).exit_code() == 1


def test_webhook_without_events_holds_for_desired_state_built_by_other_means() -> None:
    config = load(WEBHOOK)
    assert not [f for f in run(config) if f.rule == "webhook-without-events"]
    config.services[0].webhooks[0].event_types = []  # type: ignore[index]
    [finding] = [f for f in run(config) if f.rule == "webhook-without-events"]
    assert (finding.line, finding.column, finding.level) == (*at(WEBHOOK, 5, "event_types"), "error")
    assert run(config).exit_code() == 1


def test_validate_already_refuses_an_http_webhook(tmp_path: Path) -> None:
    text = WEBHOOK.replace("https://", "http://")
    result = lint_json(str(write(tmp_path, text)))[0]
    assert result.exit_code == 1 and "must be an https:// URL" in result.stderr


TEMPLATED = document(service("    default_template: Acme SMS\n"))
SID = "HJ" + "0" * 32


def template(
    statuses: dict[str, str], channels: tuple[str, ...] = ("sms",), name: str = "Acme SMS"
) -> TemplateInfo:
    translations = {locale: {"status": status, "text": "..."} for locale, status in statuses.items()}
    return TemplateInfo.from_api(
        {"sid": SID, "friendly_name": name, "channels": list(channels), "translations": translations}
    )


@pytest.mark.parametrize(
    ("templates", "words"),
    [
        ([], "no live template has default_template 'Acme SMS'"),
        ([template({"en": "pending"})], "not approved for any locale"),
        ([template({"en": "approved"}, channels=("voice",))], "not for sms"),
        ([template({"en": "approved"}), template({"fr": "approved"})], "2 live templates have"),
    ],
)
def test_default_template_approved_triggers(templates: list[TemplateInfo], words: str) -> None:
    findings = run(load(TEMPLATED), live_templates=templates)
    [finding] = [f for f in findings if f.rule == "default-template-approved"]
    assert words in finding.message
    assert (finding.line, finding.column, finding.level) == (4, 5, "error")
    assert findings.exit_code() == 1


def test_default_template_approved_passes_and_checks_listed_locales() -> None:
    config = load(TEMPLATED)
    approved = [template({"en": "approved", "fr": "pending"})]
    assert not [f for f in run(config, live_templates=approved) if f.rule == "default-template-approved"]
    by_sid = load(document(service(f"    default_template_sid: {SID}\n")))
    assert not [f for f in run(by_sid, live_templates=approved) if f.rule == "default-template-approved"]
    strict = load(TEMPLATED + "policy:\n  rules:\n    default-template-approved: {locales: [en, fr]}\n")
    [finding] = [f for f in run(strict, live_templates=approved) if f.rule == "default-template-approved"]
    assert "not approved for fr" in finding.message


def test_default_template_approved_runs_only_with_the_live_templates(tmp_path: Path) -> None:
    assert not [f for f in run(load(TEMPLATED)) if f.rule == "default-template-approved"]
    result, findings = lint_json(str(write(tmp_path, TEMPLATED)))
    assert result.exit_code == 0 and "default-template-approved" not in {f["rule"] for f in findings}


def test_duplicate_friendly_names_checks_each_environment_on_its_own() -> None:
    config = load(
        document(service("    code_length: 6\n"), service("    code_length: 6\n", name="ACME_LOGIN"))
    )
    login, other = config.services
    apart = run(config, environments={"staging": [login], "production": [other]})
    assert not [f for f in apart if f.rule == "duplicate-friendly-names"]
    together = run(config, environments={"staging": [login, other], "production": [login, other]})
    [finding] = [f for f in together if f.rule == "duplicate-friendly-names"]
    assert finding.service == "ACME_LOGIN" and "in environment staging, production" in finding.message
    assert "ACME_LOGIN_VERIFY_SERVICE_SID" in finding.message and "verifyctl.yaml:3:5" in finding.message


def test_bucket_intervals_reports_a_longer_bucket_that_never_applies() -> None:
    text = document(
        service(
            "    rate_limits:\n      - unique_name: per_ip\n        buckets:\n"
            "          - {interval: 60, max: 5}\n          - {interval: 3600, max: 300}\n",
            limit=False,
        )
    )
    [finding] = [f for f in run(load(text)) if f.rule == "bucket-intervals"]
    assert "caps it at 300, so the 3600s bucket never applies" in finding.message


def test_absent_services_are_not_linted() -> None:
    text = document(service("    ensure: absent\n    code_length: 4\n", limit=False))
    assert len(run(load(text))) == 0
