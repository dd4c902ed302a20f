"""`${}` substitution: a new tree, declared variables only, no credential variable, credentials masked."""

from __future__ import annotations

import copy

import pytest

from verifyctl.config.limits import DEFAULT_LIMITS
from verifyctl.config.loader import load_sources
from verifyctl.config.substitution import substitute
from verifyctl.config.variables import Variables
from verifyctl.config.yaml_document import Document
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.errors import ConfigError

TEXT = """\
version: 1
services:
  - friendly_name: Acme ${STAGE}
    tts_name: ${VOICE}
    totp: {issuer: Acme}
  - friendly_name: Untouched
    rate_limits: [{unique_name: ip}]
"""


def parsed(text: str) -> Document:
    document, problems = parse_yaml("f.yaml", text.encode(), DEFAULT_LIMITS)
    assert document is not None and not problems
    return document


def test_substitution_returns_a_new_tree_and_leaves_its_input_as_it_was() -> None:
    document = parsed(TEXT)
    before = copy.deepcopy(document.data)
    done = substitute("f.yaml", document, Variables({"STAGE": "Staging"}))
    assert document.data == before and not document.broken and not document.secrets
    services = done.document.data["services"]
    assert services[0]["friendly_name"] == "Acme Staging"
    assert [p.message.split(" (")[0] for p in done.problems] == ["variable 'VOICE' is not declared"]
    assert ("services", 0, "tts_name") in done.document.broken
    # What no reference touched is shared, not copied: a big file without references costs no copy.
    assert services[1] is document.data["services"][1]
    assert services[0]["totp"] is document.data["services"][0]["totp"]
    # The same parse expands again, with other variables, as if it were fresh.
    again = substitute("f.yaml", document, Variables({"STAGE": "Prod", "VOICE": "alice"}))
    assert again.document.data["services"][0]["friendly_name"] == "Acme Prod" and not again.problems


def test_a_plain_mapping_is_a_process_environment_of_which_only_prefixed_variables_are_read() -> None:
    environ = {"STAGE": "Leaked", "VERIFYCTL_VAR_VOICE": "alice", "VERIFYCTL_VAR_STAGE": "Staging"}
    done = substitute("f.yaml", parsed(TEXT), environ)
    service = done.document.data["services"][0]
    assert (service["friendly_name"], service["tts_name"]) == ("Acme Staging", "alice")
    leaked = substitute("f.yaml", parsed(TEXT), {"STAGE": "Leaked", "VOICE": "x"})
    assert len(leaked.problems) == 2 and "Leaked" not in str(leaked.document.data)


def test_credential_variables_are_never_substituted_even_when_declared() -> None:
    text = (
        "version: 1\nservices:\n"
        "  - {friendly_name: A, tts_name: '${TWILIO_AUTH_TOKEN}', totp: {issuer: '${MY_TOKEN}'}}\n"
    )
    declared = Variables(
        {"TWILIO_AUTH_TOKEN": "tok-123456", "MY_TOKEN": "tok-999999"}, credential_names=["MY_TOKEN"]
    )
    done = substitute("f.yaml", parsed(text), declared)
    assert [p.message for p in done.problems] == [
        "'TWILIO_AUTH_TOKEN' is a credential variable: it is never substituted into a file",
        "'MY_TOKEN' is a credential variable: it is never substituted into a file",
    ]
    assert "tok-" not in str(done.document.data)


def test_a_value_holding_a_credential_is_marked_sensitive_whatever_its_source() -> None:
    environ = {"TWILIO_AUTH_TOKEN": "tok-123456", "VERIFYCTL_VAR_VOICE": "x-tok-123456-y"}
    done = substitute("f.yaml", parsed(TEXT), {**environ, "VERIFYCTL_VAR_STAGE": "Staging"})
    assert done.document.secrets == {"x-tok-123456-y"}
    declared = Variables.of_process(
        {"STG": "tok-abcdef"}, credential_names=["STG"], declared={"VOICE": "tok-abcdef", "STAGE": "s"}
    )
    assert substitute("f.yaml", parsed(TEXT), declared).document.secrets == {"tok-abcdef"}


def test_a_value_shown_as_written_cannot_hold_a_sensitive_value() -> None:
    token = "0123456789abcdef" * 2  # an auth token is 32 hex digits: "VA" + it is a valid service SID
    text = (
        "version: 1\nservices:\n"
        "  - {friendly_name: 'A ${secret:HOOK}', sid: 'VA${TOKEN}', tts_name: '${secret:HOOK}'}\n"
        "policy:\n  exceptions: [{rule: code-length, service: A, reason: 'kiosk ${secret:HOOK}'}]\n"
    )
    environ = {"TWILIO_AUTH_TOKEN": token, "VERIFYCTL_VAR_TOKEN": token, "VERIFYCTL_VAR_HOOK": "hook-pw-1"}
    with pytest.raises(ConfigError) as caught:
        load_sources([("f.yaml", text.encode())], environ)
    shown = "is shown as written in plans and outputs: it cannot hold a ${secret:…} or a credential"
    assert [str(p) for p in caught.value.problems] == [
        f"f.yaml:3:21: services[0].friendly_name: {shown}",
        f"f.yaml:3:46: services[0].sid: {shown}",
        f"f.yaml:5:56: policy.exceptions[0].reason: {shown}",
    ]
    assert token not in str(caught.value) and "hook-pw-1" not in str(caught.value)


def test_a_short_credential_counts_only_when_it_is_the_whole_value() -> None:
    variables = Variables(credential_values=["t", "tok-12345678"])
    assert variables.holds_credential("t") and variables.holds_credential("x tok-12345678 y")
    assert not variables.holds_credential("Staging")
