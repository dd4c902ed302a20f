"""Every Service parameter reaches the wire as the spec spells it: codec.encode_form -> client -> body."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest
import responses
from responses import matchers

import verifyctl
from tests.unit.client.support import BASE, BASIC
from verifyctl.client import VerifyClient
from verifyctl.resources.codec import encode_form
from verifyctl.resources.kinds import SERVICE, WEBHOOK

SERVICE_SID = "VA" + "b" * 32
MG_SID = "MG" + "c" * 32
HJ_SID = "HJ" + "d" * 32
CR_APN = "CR" + "e" * 32
CR_FCM = "CR" + "f" * 32

ALL_SERVICE_FIELDS: dict[str, Any] = {
    "friendly_name": "Acme Login",
    "code_length": 6,
    "lookup_enabled": True,
    "skip_sms_to_landlines": False,
    "dtmf_input_required": True,
    "tts_name": "Acme",
    "psd2_enabled": False,
    "do_not_share_warning_enabled": True,
    "custom_code_enabled": False,
    "push.include_date": True,
    "push.apn_credential_sid": CR_APN,
    "push.fcm_credential_sid": CR_FCM,
    "totp.issuer": "Acme Inc",
    "totp.time_step": 30,
    "totp.code_length": 8,
    "totp.skew": 1,
    "default_template_sid": HJ_SID,
    "whatsapp.msg_service_sid": MG_SID,
    "whatsapp.from": "+15017122661",
    "passkeys.relying_party.id": "example.com",
    "passkeys.relying_party.name": "Acme",
    "passkeys.relying_party.origins": ["https://example.com", "https://login.example.com"],
    "passkeys.authenticator_attachment": "platform",
    "passkeys.discoverable_credentials": "preferred",
    "passkeys.user_verification": "required",
    "verify_event_subscription_enabled": True,
}

# Written out by hand from the OpenAPI spec's parameter names, in declaration order.
EXPECTED_SERVICE_BODY = (
    "FriendlyName=Acme+Login"
    "&CodeLength=6"
    "&LookupEnabled=true"
    "&SkipSmsToLandlines=false"
    "&DtmfInputRequired=true"
    "&TtsName=Acme"
    "&Psd2Enabled=false"
    "&DoNotShareWarningEnabled=true"
    "&CustomCodeEnabled=false"
    "&Push.IncludeDate=true"
    f"&Push.ApnCredentialSid={CR_APN}"
    f"&Push.FcmCredentialSid={CR_FCM}"
    "&Totp.Issuer=Acme+Inc"
    "&Totp.TimeStep=30"
    "&Totp.CodeLength=8"
    "&Totp.Skew=1"
    f"&DefaultTemplateSid={HJ_SID}"
    f"&Whatsapp.MsgServiceSid={MG_SID}"
    "&Whatsapp.From=%2B15017122661"
    "&Passkeys.RelyingParty.Id=example.com"
    "&Passkeys.RelyingParty.Name=Acme"
    "&Passkeys.RelyingParty.Origins=https%3A%2F%2Fexample.com%2Chttps%3A%2F%2Flogin.example.com"
    "&Passkeys.AuthenticatorAttachment=platform"
    "&Passkeys.DiscoverableCredentials=preferred"
    "&Passkeys.UserVerification=required"
    "&VerifyEventSubscriptionEnabled=true"
)


def test_the_fixture_covers_every_service_parameter() -> None:
    assert set(ALL_SERVICE_FIELDS) == set(SERVICE.field_keys)
    assert len(ALL_SERVICE_FIELDS) == 26


def test_create_service_sends_every_parameter_form_encoded(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.post(
        f"{BASE}/v2/Services",
        json={"sid": SERVICE_SID, "friendly_name": "Acme Login"},
        status=201,
        match=[
            matchers.header_matcher({"Content-Type": "application/x-www-form-urlencoded"}),
            matchers.body_matcher(EXPECTED_SERVICE_BODY),
        ],
    )
    created = client.create("/v2/Services", encode_form(SERVICE, ALL_SERVICE_FIELDS))
    assert created["sid"] == SERVICE_SID
    sent = dict(parse_qsl(str(mock.calls[0].request.body)))
    assert sent["Passkeys.RelyingParty.Origins"] == "https://example.com,https://login.example.com"
    assert sent["Whatsapp.From"] == "+15017122661"


def test_update_sends_only_the_changed_fields(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.post(
        f"{BASE}/v2/Services/{SERVICE_SID}",
        json={"sid": SERVICE_SID},
        match=[matchers.urlencoded_params_matcher({"CodeLength": "8", "Totp.Skew": "2"})],
    )
    form = encode_form(
        SERVICE, {**ALL_SERVICE_FIELDS, "code_length": 8, "totp.skew": 2}, only=["code_length", "totp.skew"]
    )
    client.update(f"/v2/Services/{SERVICE_SID}", form)


def test_webhook_event_types_are_repeated_keys(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.post(
        f"{BASE}/v2/Services/{SERVICE_SID}/Webhooks",
        json={"sid": "YW" + "0" * 32},
        status=201,
        match=[
            matchers.body_matcher(
                "FriendlyName=audit"
                "&EventTypes=challenge.approved&EventTypes=factor.created"
                "&WebhookUrl=https%3A%2F%2Fhooks.example.com%2Fverify"
                "&Status=enabled&Version=v2"
            )
        ],
    )
    form = encode_form(
        WEBHOOK,
        {
            "friendly_name": "audit",
            "event_types": ["factor.created", "challenge.approved"],
            "webhook_url": "https://hooks.example.com/verify",
            "status": "enabled",
            "version": "v2",
        },
    )
    client.create(f"/v2/Services/{SERVICE_SID}/Webhooks", form)
    pairs = parse_qsl(str(mock.calls[0].request.body))
    assert [v for k, v in pairs if k == "EventTypes"] == ["challenge.approved", "factor.created"]


def test_every_request_carries_user_agent_accept_and_basic_auth(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(
        f"{BASE}/v2/Services/{SERVICE_SID}",
        json={"sid": SERVICE_SID},
        match=[
            matchers.header_matcher(
                {
                    "User-Agent": f"verifyctl/{verifyctl.__version__}",
                    "Accept": "application/json",
                    "Authorization": f"Basic {BASIC}",
                },
            )
        ],
    )
    assert client.get(f"/v2/Services/{SERVICE_SID}") == {"sid": SERVICE_SID}


def test_form_values_must_already_be_strings(client: VerifyClient) -> None:
    with pytest.raises(TypeError, match="encode_form"):
        client.update(f"/v2/Services/{SERVICE_SID}", [("LookupEnabled", True)])  # type: ignore[list-item]
