"""A file cannot read a credential or a CI secret from the process environment, and a value holding a
credential is masked in every output whatever its source."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.secrets.test_secrets_never_shown import (
    ACCOUNT,
    AUTH_TOKEN,
    EMULATOR_OPTIONS,
    TOKEN,
    Credentials,
    Watch,
    credentials,
    watch,
)
from verifyctl.emulator import EmulatorServer

__all__ = ["EMULATOR_OPTIONS", "credentials", "watch"]  # fixtures and options used from the main suite

GITHUB_TOKEN = "SENTINEL-github-token-61d0"
# The references a hostile pull request writes: verifyctl's own credential, a CI secret, and the variable an
# environment names for its credentials.
REFERENCES = ["${TWILIO_AUTH_TOKEN}", "${GITHUB_TOKEN}", "${STAGING_TOKEN}", "${secret:TWILIO_AUTH_TOKEN}"]
ENVIRONMENTS = {
    "staging": {"account_sid": ACCOUNT, "credentials": {"auth_token_env": "STAGING_TOKEN"}},
}


def every_field(ref: str) -> dict[str, Any]:
    """A file with `ref` in every field of every kind of object (numbers and booleans included)."""
    service = {
        "friendly_name": ref,
        "formerly": [ref],
        "code_length": ref,
        "lookup_enabled": ref,
        "skip_sms_to_landlines": ref,
        "dtmf_input_required": ref,
        "tts_name": ref,
        "psd2_enabled": ref,
        "do_not_share_warning_enabled": ref,
        "custom_code_enabled": ref,
        "push": {"include_date": ref, "apn_credential_sid": ref, "fcm_credential_sid": ref},
        "totp": {"issuer": ref, "time_step": ref, "code_length": ref, "skew": ref},
        "default_template_sid": ref,
        "whatsapp": {"msg_service_sid": ref, "from": ref},
        "passkeys": {
            "relying_party": {"id": ref, "name": ref, "origins": [ref]},
            "authenticator_attachment": ref,
            "discoverable_credentials": ref,
            "user_verification": ref,
        },
        "verify_event_subscription_enabled": ref,
        "rate_limits": [{"unique_name": ref, "description": ref, "buckets": [{"interval": ref, "max": ref}]}],
        "messaging_configurations": [{"country": ref, "messaging_service_sid": ref}],
        "webhooks": [
            {
                "friendly_name": ref,
                "event_types": [ref],
                "webhook_url": f"https://{ref}@h.example/{ref}?t={ref}",
                "status": ref,
                "version": ref,
            }
        ],
    }
    other = {"friendly_name": f"Other {ref}", "default_template": ref, "ensure": ref, "sid": ref}
    return {
        "version": 1,
        "services": [service, other],
        "safe_list": [ref, {"phone_number": ref}],
        "policy": {"exceptions": [{"rule": ref, "service": ref, "reason": ref}]},
    }


@pytest.fixture
def hostile(credentials: Credentials, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, bool], None]:
    """Writes the hostile file (with or without an `environments:` section) and sets the variables."""
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    monkeypatch.setenv("STAGING_TOKEN", TOKEN)

    def write(ref: str, with_environments: bool) -> None:
        document = every_field(ref)
        if with_environments:
            document["environments"] = ENVIRONMENTS
        Path("verifyctl.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    return write


def every_output(watch: Watch, env: tuple[str, ...], expect: int | None) -> None:
    """Every command and format that shows the files' values, the saved plan file included when written."""
    for fmt in ("text", "json", "markdown"):
        watch.run("plan", "-vv", *env, "--format", fmt, expect=expect)
    watch.run("plan", *env, "--out", "plan.json", expect=expect)
    if Path("plan.json").exists():
        watch.check_file("plan.json")
        watch.run("apply", "-vv", *env, "--plan", "plan.json", "verifyctl.yaml", expect=expect)
    watch.run("validate", expect=expect)
    for fmt in ("text", "json", "sarif", "github"):
        watch.run("lint", "--format", fmt, expect=None)
    for fmt in ("text", "json"):
        watch.run("show", *env, "--format", fmt, expect=expect)
    for fmt in ("json", "env", "dotenv"):
        watch.run("output", *env, "--format", fmt, expect=expect)
    watch.run("apply", "-vv", *env, "--auto-approve", expect=expect)


@pytest.mark.parametrize("credentials", [AUTH_TOKEN], indirect=True, ids=["auth token"])
@pytest.mark.parametrize("ref", REFERENCES)
@pytest.mark.parametrize("with_environments", [False, True], ids=["no environments", "environments"])
def test_a_file_cannot_read_a_credential_or_a_ci_secret(
    hostile: Callable[[str, bool], None],
    emulator: EmulatorServer,
    watch: Watch,
    ref: str,
    with_environments: bool,
) -> None:
    hostile(ref, with_environments)
    env = ("--env", "staging") if with_environments else ()
    every_output(watch, env, expect=1)
    name = ref.strip("${}").removeprefix("secret:")
    problems = watch.run("validate", expect=1).stderr
    if name == "GITHUB_TOKEN" or (name == "STAGING_TOKEN" and not with_environments):
        assert f"variable {name!r} is not declared" in problems
        assert f"VERIFYCTL_VAR_{name}" in problems  # the message says how to declare it
    else:
        assert f"{name!r} is a credential variable: it is never substituted" in problems
    assert emulator.requests() == [] or all(r["method"] == "GET" for r in emulator.requests())


@pytest.mark.parametrize("credentials", [AUTH_TOKEN], indirect=True, ids=["auth token"])
@pytest.mark.parametrize("source", ["--var", "VERIFYCTL_VAR_"])
def test_a_declared_value_holding_a_credential_is_masked_everywhere(
    credentials: Credentials,
    emulator: EmulatorServer,
    watch: Watch,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    """A value declared on purpose (or by mistake) that holds the token: every output masks it."""
    fields = {
        "tts_name": "${VOICE}",
        "totp": {"issuer": "Acme ${VOICE}"},
        "whatsapp": {"from": "${VOICE}"},
        "passkeys": {"relying_party": {"id": "${VOICE}", "name": "${VOICE}", "origins": ["${VOICE}"]}},
        "rate_limits": [{"unique_name": "ip", "description": "${VOICE}"}],
        "webhooks": [
            {"friendly_name": "audit", "event_types": ["*"], "webhook_url": "https://h.example/${VOICE}"}
        ],
    }
    document = {"version": 1, "services": [{"friendly_name": "Masked", **fields}]}
    Path("verifyctl.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    declared: tuple[str, ...] = ()
    if source == "--var":
        declared = ("--var", f"VOICE={TOKEN}")
    else:
        monkeypatch.setenv("VERIFYCTL_VAR_VOICE", TOKEN)
    shown = json.loads(watch.run("plan", *declared, "--format", "json").stdout)
    (service,) = [c for c in shown["changes"] if c["kind"] == "service"]
    assert service["after"]["tts_name"] == "(sensitive value)"
    for fmt in ("text", "markdown"):
        watch.run("plan", "-vv", *declared, "--format", fmt)
    watch.run("plan", *declared, "--out", "plan.json")
    watch.check_file("plan.json")
    watch.run("apply", "-vv", *declared, "--plan", "plan.json", "verifyctl.yaml", "--report", "report.json")
    watch.check_file("report.json")
    watch.run("validate", expect=0 if source != "--var" else 1)  # validate takes no --var
    for fmt in ("text", "json", "sarif", "github"):
        watch.run("lint", "--format", fmt, expect=None)
    for fmt in ("text", "json"):
        watch.run("show", *declared, "--format", fmt)
    for fmt in ("json", "env", "dotenv"):
        watch.run("output", *declared, "--format", fmt)
    watch.run("apply", "-vv", *declared, "--auto-approve")
    assert watch.run("plan", *declared, "--detailed-exitcode").exit_code == 0


@pytest.mark.parametrize("credentials", [AUTH_TOKEN], indirect=True, ids=["auth token"])
def test_a_wrong_kind_of_value_holding_a_credential_is_reported_without_it(
    credentials: Credentials, watch: Watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`code_length: ${LEN}` with the token declared: the problem says what is wrong, not the value."""
    monkeypatch.setenv("VERIFYCTL_VAR_LEN", TOKEN)
    document = {
        "version": 1,
        "services": [
            {"friendly_name": "A", "code_length": "${LEN}", "passkeys": {"user_verification": "${LEN}"}}
        ],
    }
    Path("verifyctl.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    problems = watch.run("validate", expect=1).stderr
    assert "services[0].code_length: must be an integer, not (sensitive value)" in problems
    assert "services[0].passkeys.user_verification: must be" in problems


@pytest.mark.parametrize("credentials", [AUTH_TOKEN], indirect=True, ids=["auth token"])
@pytest.mark.parametrize("var_file", ["/proc/self/environ", "../outside.vars", "link.vars"])
def test_a_var_file_outside_the_configuration_is_refused(
    credentials: Credentials, watch: Watch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_file: str
) -> None:
    """A pull request cannot name a file of secrets as the variables of its environment."""
    monkeypatch.setenv("STAGING_TOKEN", TOKEN)
    outside = tmp_path.parent / "outside.vars"
    outside.write_text(f"LEAK: {TOKEN}\n", encoding="utf-8")
    Path("link.vars").symlink_to(outside)
    staging = {**ENVIRONMENTS["staging"], "var_files": [var_file]}
    document = {
        "version": 1,
        "environments": {"staging": staging},
        "services": [{"friendly_name": "A", "tts_name": "${LEAK}"}],
    }
    Path("verifyctl.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    for args in (
        ("plan", "--env", "staging"),
        ("plan", "--env", "staging", "--format", "markdown"),
        ("validate",),
    ):
        refused = watch.run(*args, expect=1)
        assert "leads outside" in refused.stderr and "--allow-outside-links allows it" in refused.stderr
