"""Verify Push, TOTP and Passkeys end to end through Twilio's official Python client."""

from __future__ import annotations

import json

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.verify.v2.service.approve_challenge import ApproveChallengeList
from twilio.rest.verify.v2.service.new_challenge import NewChallengeContext
from twilio.rest.verify.v2.service.new_factor import NewFactorList
from twilio.rest.verify.v2.service.new_verify_factor import NewVerifyFactorList

from tests.integration.emulator.identity_support import IDENTITY, emulator_now, official_client
from tests.integration.emulator.support import Api
from tests.support.devices import PushDevice, SoftwareAuthenticator, totp_code
from verifyctl.emulator import EmulatorServer

ORIGIN = "https://login.example.com"


@pytest.fixture
def client(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Client:
    # A caller's edge and region must not reach the client: they would send it to *.twilio.com.
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")
    return official_client(emulator)


def test_totp_entity_factor_verified_and_challenge_approved(client: Client, api: Api) -> None:
    service = client.verify.v2.services.create(friendly_name="Acme Login", totp_issuer="Acme")
    entity = client.verify.v2.services(service.sid).entities.create(identity=IDENTITY)
    assert entity.identity == IDENTITY and entity.sid.startswith("YE")

    factor = (
        client.verify.v2.services(service.sid)
        .entities(IDENTITY)
        .new_factors.create(friendly_name="Jo's phone", factor_type="totp")
    )
    secret = factor.binding["secret"]
    assert factor.status == "unverified"
    assert factor.config == {"alg": "sha1", "skew": 1, "code_length": 6, "time_step": 30}
    assert factor.binding["uri"].startswith("otpauth://totp/Acme:Jo%27s%20phone?secret=" + secret)

    code = totp_code(secret, emulator_now(api))
    verified = (
        client.verify.v2.services(service.sid)
        .entities(IDENTITY)
        .factors(factor.sid)
        .update(auth_payload=code)
    )
    assert verified.status == "verified"

    challenges = client.verify.v2.services(service.sid).entities(IDENTITY).challenges
    challenge = challenges.create(factor_sid=factor.sid)
    assert challenge.status == "pending"
    approved = challenges(challenge.sid).update(auth_payload=totp_code(secret, emulator_now(api)))
    assert approved.status == "approved" and approved.date_responded is not None
    assert [c.sid for c in challenges.list(status="approved")] == [challenge.sid]


def test_totp_settings_come_from_the_service(client: Client, api: Api) -> None:
    service = client.verify.v2.services.create(friendly_name="Acme", totp_code_length=8, totp_time_step=60)
    factor = (
        client.verify.v2.services(service.sid)
        .entities(IDENTITY)
        .new_factors.create(friendly_name="phone", factor_type="totp")
    )
    assert factor.config["code_length"] == 8 and factor.config["time_step"] == 60
    code = totp_code(factor.binding["secret"], emulator_now(api), time_step=60, digits=8)
    updated = (
        client.verify.v2.services(service.sid)
        .entities(IDENTITY)
        .factors(factor.sid)
        .update(auth_payload=code)
    )
    assert updated.status == "verified"


def test_push_factor_verified_and_challenge_approved_by_a_signed_payload(client: Client) -> None:
    device = PushDevice()
    service = client.verify.v2.services.create(friendly_name="Acme Push")
    token = client.verify.v2.services(service.sid).access_tokens.create(
        identity=IDENTITY, factor_type="push", factor_friendly_name="Jo's phone", ttl=120
    )
    assert token.ttl == 120 and token.token.count(".") == 2
    assert client.verify.v2.services(service.sid).access_tokens(token.sid).fetch().token == token.token

    entity = client.verify.v2.services(service.sid).entities(IDENTITY)
    factor = entity.new_factors.create(
        friendly_name="Jo's phone",
        factor_type="push",
        binding_alg="ES256",
        binding_public_key=device.public_key,
        config_app_id="com.example.app",
        config_notification_platform="fcm",
        config_notification_token="t" * 40,
        config_sdk_version="1.0.0",
    )
    assert factor.binding == {"alg": "ES256", "public_key": device.public_key}
    verified = entity.factors(factor.sid).update(auth_payload=device.verify_factor_payload(factor.sid))
    assert verified.status == "verified"

    challenge = entity.challenges.create(
        factor_sid=factor.sid,
        details_message="Sign in to Acme?",
        details_fields=[{"label": "Location", "value": "Lisbon"}],
        hidden_details={"ip": "198.51.100.7"},
    )
    assert challenge.details["fields"] == [{"label": "Location", "value": "Lisbon"}]
    assert challenge.hidden_details == {"ip": "198.51.100.7"}
    notification = entity.challenges(challenge.sid).notifications.create(ttl=60)
    assert notification.priority == "high" and notification.ttl == 60

    seen = entity.challenges(challenge.sid).fetch()
    payload = device.challenge_payload(
        {
            "sid": seen.sid,
            "factor_sid": seen.factor_sid,
            "details": seen.details,
            "hidden_details": seen.hidden_details,
        },
        "approved",
    )
    approved = entity.challenges(challenge.sid).update(auth_payload=payload, metadata={"os": "Android"})
    assert approved.status == "approved" and approved.metadata == {"os": "Android"}


def test_a_push_challenge_signed_by_another_key_is_refused(client: Client) -> None:
    device, impostor = PushDevice(), PushDevice()
    service = client.verify.v2.services.create(friendly_name="Acme Push")
    entity = client.verify.v2.services(service.sid).entities(IDENTITY)
    factor = entity.new_factors.create(
        friendly_name="phone",
        factor_type="push",
        binding_alg="ES256",
        binding_public_key=device.public_key,
        config_app_id="com.example.app",
        config_notification_platform="none",
        config_sdk_version="1.0.0",
    )
    entity.factors(factor.sid).update(auth_payload=device.verify_factor_payload(factor.sid))
    challenge = entity.challenges.create(factor_sid=factor.sid, details_message="Sign in?")
    forged = impostor.challenge_payload(
        {
            "sid": challenge.sid,
            "factor_sid": factor.sid,
            "details": challenge.details,
            "hidden_details": None,
        },
        "approved",
    )

    with pytest.raises(TwilioRestException) as raised:
        entity.challenges(challenge.sid).update(auth_payload=forged)
    assert (raised.value.status, raised.value.code) == (403, 60324)
    assert entity.challenges(challenge.sid).fetch().status == "pending"


def test_passkey_registered_and_used_by_a_software_authenticator(client: Client) -> None:
    authenticator = SoftwareAuthenticator(ORIGIN)
    service = client.verify.v2.services.create(
        friendly_name="Acme Passkeys",
        passkeys_relying_party_id="login.example.com",
        passkeys_relying_party_name="Acme",
        passkeys_relying_party_origins=ORIGIN,
        passkeys_user_verification="required",
    )
    verify = client.verify.v2.services(service.sid)
    factor = verify.new_factors.create(
        NewFactorList.CreateNewPasskeysFactorRequest({"friendly_name": "Jo", "identity": IDENTITY})
    )
    assert factor.status == "unverified" and factor.factor_type == "passkeys"
    assert factor.options["publicKey"]["rp"] == {"id": "login.example.com", "name": "Acme"}

    registration = authenticator.create(factor.options)
    verified = verify.new_verify_factors.update(NewVerifyFactorList.VerifyPasskeysFactorRequest(registration))
    assert verified.status == "verified" and verified.sid == factor.sid

    challenge = verify.new_challenge().create(
        NewChallengeContext.CreatePasskeysChallengeRequest({"identity": IDENTITY, "factor_sid": factor.sid})
    )
    assert challenge.status == "pending"
    assertion = authenticator.get(challenge.options)
    approved = verify.approve_challenge.update(
        ApproveChallengeList.ApprovePasskeysChallengeRequest(assertion)
    )
    assert approved.status == "approved" and approved.factor_sid == factor.sid
    assert json.loads(json.dumps(approved.options))["publicKey"]["rpId"] == "login.example.com"


def test_a_passkey_assertion_from_another_origin_is_refused(client: Client) -> None:
    authenticator = SoftwareAuthenticator(ORIGIN)
    service = client.verify.v2.services.create(
        friendly_name="Acme Passkeys",
        passkeys_relying_party_id="login.example.com",
        passkeys_relying_party_origins=ORIGIN,
    )
    verify = client.verify.v2.services(service.sid)
    factor = verify.new_factors.create(
        NewFactorList.CreateNewPasskeysFactorRequest({"friendly_name": "Jo", "identity": IDENTITY})
    )
    verify.new_verify_factors.update(
        NewVerifyFactorList.VerifyPasskeysFactorRequest(authenticator.create(factor.options))
    )
    challenge = verify.new_challenge().create(
        NewChallengeContext.CreatePasskeysChallengeRequest({"identity": IDENTITY})
    )
    phished = authenticator.get(challenge.options, origin="https://login.example.com.evil.test")

    with pytest.raises(TwilioRestException) as raised:
        verify.approve_challenge.update(ApproveChallengeList.ApprovePasskeysChallengeRequest(phished))
    assert (raised.value.status, raised.value.code) == (403, 60324)
