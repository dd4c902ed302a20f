"""Services over HTTP: defaults, dotted parameters, partial updates, deletes and every validation error."""

from __future__ import annotations

import re

import pytest

from tests.integration.emulator.support import Api, error_of
from verifyctl.emulator import EmulatorServer

SID = re.compile(r"^VA[0-9a-f]{32}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_a_new_service_has_documented_defaults(api: Api) -> None:
    service = api.service("Acme Login")

    assert SID.match(service["sid"])
    assert service["account_sid"] == api.account_sid
    assert service["code_length"] == 6
    for flag in (
        "lookup_enabled",
        "psd2_enabled",
        "skip_sms_to_landlines",
        "dtmf_input_required",
        "do_not_share_warning_enabled",
        "custom_code_enabled",
        "verify_event_subscription_enabled",
    ):
        assert service[flag] is False, flag
    assert service["tts_name"] is None and service["default_template_sid"] is None
    assert service["push"] == {"include_date": False, "apn_credential_sid": None, "fcm_credential_sid": None}
    assert service["totp"] == {"issuer": "Acme Login", "time_step": 30, "code_length": 6, "skew": 1}
    assert service["whatsapp"] == {"msg_service_sid": None, "from": None}
    assert service["passkeys"] == {
        "relying_party": {"id": None, "name": None, "origins": None},
        "authenticator_attachment": None,
        "discoverable_credentials": None,
        "user_verification": None,
    }
    assert DATE.match(service["date_created"]) and service["date_updated"] == service["date_created"]
    assert service["url"] == f"{api.base_url}/v2/Services/{service['sid']}"
    assert service["links"]["rate_limits"] == f"{service['url']}/RateLimits"


def test_every_parameter_is_read_with_the_specs_spelling(api: Api) -> None:
    service = api.service(
        "Acme Checkout",
        CodeLength="8",
        LookupEnabled="true",
        SkipSmsToLandlines="True",
        DtmfInputRequired="true",
        TtsName="alice",
        Psd2Enabled="true",
        DoNotShareWarningEnabled="true",
        CustomCodeEnabled="true",
        **{
            "Push.IncludeDate": "true",
            "Push.ApnCredentialSid": "CR" + "1" * 32,
            "Push.FcmCredentialSid": "CR" + "2" * 32,
            "Totp.Issuer": "Acme",
            "Totp.TimeStep": "60",
            "Totp.CodeLength": "8",
            "Totp.Skew": "0",
            "DefaultTemplateSid": "HJ" + "3" * 32,
            "Whatsapp.MsgServiceSid": "MG" + "4" * 32,
            "Whatsapp.From": "+15017122661",
            "Passkeys.RelyingParty.Id": "example.com",
            "Passkeys.RelyingParty.Name": "Example",
            "Passkeys.RelyingParty.Origins": "https://example.com, https://www.example.com",
            "Passkeys.AuthenticatorAttachment": "platform",
            "Passkeys.DiscoverableCredentials": "preferred",
            "Passkeys.UserVerification": "required",
            "VerifyEventSubscriptionEnabled": "true",
        },
    )

    assert service["code_length"] == 8
    assert service["lookup_enabled"] and service["skip_sms_to_landlines"] and service["dtmf_input_required"]
    assert (
        service["psd2_enabled"] and service["do_not_share_warning_enabled"] and service["custom_code_enabled"]
    )
    assert service["verify_event_subscription_enabled"] is True
    assert service["tts_name"] == "alice"
    assert service["push"] == {
        "include_date": True,
        "apn_credential_sid": "CR" + "1" * 32,
        "fcm_credential_sid": "CR" + "2" * 32,
    }
    assert service["totp"] == {"issuer": "Acme", "time_step": 60, "code_length": 8, "skew": 0}
    assert service["default_template_sid"] == "HJ" + "3" * 32
    assert service["whatsapp"] == {"msg_service_sid": "MG" + "4" * 32, "from": "+15017122661"}
    assert service["passkeys"] == {
        "relying_party": {
            "id": "example.com",
            "name": "Example",
            "origins": ["https://example.com", "https://www.example.com"],
        },
        "authenticator_attachment": "platform",
        "discoverable_credentials": "preferred",
        "user_verification": "required",
    }


def test_update_changes_only_the_parameters_sent(api: Api, emulator: EmulatorServer) -> None:
    service = api.service("Acme Login", CodeLength="4", **{"Totp.Skew": "2"})
    emulator.advance_clock(5)

    response = api.post(f"/v2/Services/{service['sid']}", {"LookupEnabled": "true", "Totp.TimeStep": "45"})

    assert response.status_code == 200
    updated = response.json()
    assert updated["lookup_enabled"] is True
    assert updated["totp"] == {"issuer": "Acme Login", "time_step": 45, "code_length": 6, "skew": 2}
    assert updated["code_length"] == 4
    assert updated["date_created"] == service["date_created"]
    assert updated["date_updated"] > service["date_updated"]
    assert api.get(f"/v2/Services/{service['sid']}").json() == updated


def test_an_empty_value_clears_an_optional_field(api: Api) -> None:
    service = api.service("Acme Login", TtsName="alice", **{"Passkeys.RelyingParty.Origins": "https://a.com"})

    updated = api.post(f"/v2/Services/{service['sid']}", {"TtsName": "", "Passkeys.RelyingParty.Origins": ""})

    assert updated.json()["tts_name"] is None
    assert updated.json()["passkeys"]["relying_party"]["origins"] is None


def test_delete_answers_204_and_the_service_is_gone(api: Api) -> None:
    service = api.service()

    response = api.delete(f"/v2/Services/{service['sid']}")

    assert response.status_code == 204 and response.content == b""
    assert "Content-Length" not in response.headers
    assert error_of(api.get(f"/v2/Services/{service['sid']}")) == (
        404,
        20404,
        f"The requested resource /Services/{service['sid']} was not found",
    )
    assert error_of(api.delete(f"/v2/Services/{service['sid']}"))[:2] == (404, 20404)


def test_deleting_a_service_deletes_its_children(api: Api) -> None:
    sid = api.service()["sid"]
    rate_limit = api.create(f"/v2/Services/{sid}/RateLimits", {"UniqueName": "ip"})["sid"]
    api.delete(f"/v2/Services/{sid}")

    assert api.get(f"/v2/Services/{sid}/RateLimits").status_code == 404
    assert api.get(f"/v2/Services/{sid}/RateLimits/{rate_limit}").status_code == 404


def test_lists_keep_creation_order(api: Api) -> None:
    names = ["Zeta", "Alpha", "Mid"]
    for name in names:
        api.service(name)

    listed = api.get("/v2/Services").json()["services"]

    assert [service["friendly_name"] for service in listed] == names


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({}, 20001, "Missing required parameter FriendlyName in the post body"),
        ({"FriendlyName": ""}, 20001, "Missing required parameter FriendlyName in the post body"),
        (
            {"FriendlyName": "x" * 31},
            60200,
            "Invalid parameter: FriendlyName (must be at most 30 characters)",
        ),
        (
            {"FriendlyName": "Acme 12345"},
            60200,
            "Invalid parameter: FriendlyName (must not contain more than 4 digits)",
        ),
        ({"FriendlyName": "https://evil.example"}, 60200, "Invalid parameter: FriendlyName"),
        ({"CodeLength": "3"}, 60200, "Invalid parameter: CodeLength (must be between 4 and 10)"),
        ({"CodeLength": "11"}, 60200, "Invalid parameter: CodeLength (must be between 4 and 10)"),
        ({"CodeLength": "six"}, 60200, "Invalid parameter: CodeLength (must be an integer)"),
        ({"LookupEnabled": "yes"}, 60200, "Invalid parameter: LookupEnabled (must be true or false)"),
        ({"Totp.TimeStep": "19"}, 60200, "Invalid parameter: Totp.TimeStep (must be between 20 and 60)"),
        ({"Totp.TimeStep": "61"}, 60200, "Invalid parameter: Totp.TimeStep (must be between 20 and 60)"),
        ({"Totp.CodeLength": "2"}, 60200, "Invalid parameter: Totp.CodeLength (must be between 3 and 8)"),
        ({"Totp.CodeLength": "9"}, 60200, "Invalid parameter: Totp.CodeLength (must be between 3 and 8)"),
        ({"Totp.Skew": "3"}, 60200, "Invalid parameter: Totp.Skew (must be between 0 and 2)"),
        ({"Totp.Skew": "-1"}, 60200, "Invalid parameter: Totp.Skew (must be between 0 and 2)"),
        ({"Push.ApnCredentialSid": "CR123"}, 60200, "Invalid parameter: Push.ApnCredentialSid"),
        ({"Push.FcmCredentialSid": "MG" + "a" * 32}, 60200, "Invalid parameter: Push.FcmCredentialSid"),
        ({"DefaultTemplateSid": "HJ" + "z" * 32}, 60200, "Invalid parameter: DefaultTemplateSid"),
        ({"Whatsapp.MsgServiceSid": "MGshort"}, 60200, "Invalid parameter: Whatsapp.MsgServiceSid"),
        (
            {"Passkeys.AuthenticatorAttachment": "usb"},
            60200,
            "Invalid parameter: Passkeys.AuthenticatorAttachment",
        ),
        (
            {"Passkeys.DiscoverableCredentials": "always"},
            60200,
            "Invalid parameter: Passkeys.DiscoverableCredentials",
        ),
        ({"Passkeys.UserVerification": "never"}, 60200, "Invalid parameter: Passkeys.UserVerification"),
    ],
)
def test_bad_service_parameters_are_refused(
    api: Api, params: dict[str, str], code: int, message: str
) -> None:
    data = {"FriendlyName": "Acme", **params} if "FriendlyName" not in params and params else params

    status, got_code, got_message = error_of(api.post("/v2/Services", data))

    assert (status, got_code) == (400, code)
    assert got_message.startswith(message)
    assert api.get("/v2/Services").json()["services"] == []


def test_bad_update_leaves_the_service_unchanged(api: Api) -> None:
    service = api.service(CodeLength="5")

    status, code, _ = error_of(
        api.post(f"/v2/Services/{service['sid']}", {"CodeLength": "5", "Totp.Skew": "9"})
    )

    assert (status, code) == (400, 60200)
    assert api.get(f"/v2/Services/{service['sid']}").json() == service


def test_update_of_an_unknown_service_is_404(api: Api) -> None:
    sid = "VA" + "0" * 32
    assert error_of(api.post(f"/v2/Services/{sid}", {"CodeLength": "5"})) == (
        404,
        20404,
        f"The requested resource /Services/{sid} was not found",
    )
