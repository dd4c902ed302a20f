"""Entities, factors, challenges, access tokens and passkeys over plain HTTP: behaviour and error paths."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.emulator.identity_support import IDENTITY, emulator_now
from tests.integration.emulator.support import Api, error_of
from tests.support.devices import PushDevice, SoftwareAuthenticator, totp_code
from verifyctl.emulator import EmulatorServer

ORIGIN = "https://login.example.com"


@pytest.fixture
def service(api: Api) -> dict[str, Any]:
    return api.service(
        "Acme Login",
        **{"Passkeys.RelyingParty.Id": "login.example.com", "Passkeys.RelyingParty.Origins": ORIGIN},
    )


def _entity_path(service: dict[str, Any], identity: str = IDENTITY) -> str:
    return f"/v2/Services/{service['sid']}/Entities/{identity}"


def _totp_factor(api: Api, service: dict[str, Any], verified: bool = True) -> dict[str, Any]:
    factor = api.create(f"{_entity_path(service)}/Factors", {"FriendlyName": "phone", "FactorType": "totp"})
    if verified:
        code = totp_code(factor["binding"]["secret"], emulator_now(api))
        assert (
            api.post(factor["url"][len(api.base_url) :], {"AuthPayload": code}).json()["status"] == "verified"
        )
    return factor


def _wrong(code: str) -> str:
    return "".join(str((int(digit) + 1) % 10) for digit in code)


def _path(api: Api, url: str) -> str:
    return url[len(api.base_url) :]


def test_service_links_lead_to_working_routes(api: Api, service: dict[str, Any]) -> None:
    api.create(f"/v2/Services/{service['sid']}/Entities", {"Identity": IDENTITY})
    create_only = ("verification_checks", "verifications", "access_tokens")
    for name, url in service["links"].items():
        if name in create_only:
            # No list behind these: an empty create is refused for its missing parameters, not unknown.
            assert error_of(api.post(_path(api, url), {}))[:2] == (400, 20001), name
        else:
            assert api.get(_path(api, url)).status_code == 200, name
    entity = api.get(_entity_path(service)).json()
    for url in entity["links"].values():
        assert api.get(_path(api, url)).status_code == 200


def test_entity_identity_rules_and_duplicates(api: Api, service: dict[str, Any]) -> None:
    path = f"/v2/Services/{service['sid']}/Entities"
    for bad in ("short", "has space in it", "x" * 65, "-leading-dash"):
        assert error_of(api.post(path, {"Identity": bad}))[:2] == (400, 60200)
    api.create(path, {"Identity": IDENTITY})
    assert error_of(api.post(path, {"Identity": IDENTITY}))[:2] == (400, 60200)


def test_deleting_an_entity_deletes_its_factors_and_challenges(api: Api, service: dict[str, Any]) -> None:
    factor = _totp_factor(api, service)
    challenge = api.create(f"{_entity_path(service)}/Challenges", {"FactorSid": factor["sid"]})

    assert api.delete(_entity_path(service)).status_code == 204

    assert error_of(api.get(_path(api, factor["url"])))[:2] == (404, 20404)
    assert error_of(api.get(_path(api, challenge["url"])))[:2] == (404, 20404)
    assert api.get(f"/v2/Services/{service['sid']}/Entities").json()["entities"] == []


def test_unknown_factor_is_404(api: Api, service: dict[str, Any]) -> None:
    _totp_factor(api, service, verified=False)
    unknown = "YF" + "0" * 32
    for response in (
        api.get(f"{_entity_path(service)}/Factors/{unknown}"),
        api.post(f"{_entity_path(service)}/Factors/{unknown}", {"AuthPayload": "123456"}),
        api.delete(f"{_entity_path(service)}/Factors/{unknown}"),
        api.post(f"{_entity_path(service)}/Challenges", {"FactorSid": unknown}),
        api.get(f"{_entity_path(service, 'nobody-0000')}/Factors"),
    ):
        assert error_of(response)[:2] == (404, 20404)
    # A challenge for an unknown factor names the factor that was not found.
    message = error_of(api.post(f"{_entity_path(service)}/Challenges", {"FactorSid": unknown}))[2]
    assert message.endswith(f"/Entities/{IDENTITY}/Factors/{unknown} was not found")


def test_wrong_totp_codes_leave_the_factor_unverified_then_hit_the_attempt_limit(
    api: Api, service: dict[str, Any]
) -> None:
    factor = _totp_factor(api, service, verified=False)
    good = totp_code(factor["binding"]["secret"], emulator_now(api))
    for _ in range(5):
        answer = api.post(_path(api, factor["url"]), {"AuthPayload": _wrong(good)})
        assert answer.status_code == 200 and answer.json()["status"] == "unverified"

    assert error_of(api.post(_path(api, factor["url"]), {"AuthPayload": good}))[:2] == (429, 60310)


def test_a_code_from_an_earlier_time_step_than_the_skew_allows_is_refused(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    factor = _totp_factor(api, service, verified=False)
    old = totp_code(factor["binding"]["secret"], emulator_now(api))
    emulator.advance_clock(90)  # three 30-second steps later; the default skew accepts one step either way

    answer = api.post(_path(api, factor["url"]), {"AuthPayload": old})
    assert answer.json()["status"] == "unverified"


def test_a_challenge_needs_a_verified_factor(api: Api, service: dict[str, Any]) -> None:
    factor = _totp_factor(api, service, verified=False)
    response = api.post(f"{_entity_path(service)}/Challenges", {"FactorSid": factor["sid"]})
    assert error_of(response)[:2] == (403, 60318)


def test_wrong_totp_code_leaves_the_challenge_pending(api: Api, service: dict[str, Any]) -> None:
    factor = _totp_factor(api, service)
    challenge = api.create(f"{_entity_path(service)}/Challenges", {"FactorSid": factor["sid"]})
    good = totp_code(factor["binding"]["secret"], emulator_now(api))

    answer = api.post(_path(api, challenge["url"]), {"AuthPayload": _wrong(good)})
    assert answer.status_code == 200 and answer.json()["status"] == "pending"
    assert error_of(api.post(_path(api, challenge["url"]), {"AuthPayload": "12"}))[:2] == (400, 60200)
    assert api.post(_path(api, challenge["url"]), {"AuthPayload": good}).json()["status"] == "approved"
    # Once answered it cannot be answered again.
    assert error_of(api.post(_path(api, challenge["url"]), {"AuthPayload": good}))[:2] == (400, 60306)


def test_a_challenge_expires_on_the_moved_clock(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    factor = _totp_factor(api, service)
    challenge = api.create(f"{_entity_path(service)}/Challenges", {"FactorSid": factor["sid"]})
    emulator.advance_clock(5 * 60)  # the default lifetime is five minutes

    late = totp_code(factor["binding"]["secret"], emulator_now(api))
    assert error_of(api.post(_path(api, challenge["url"]), {"AuthPayload": late}))[:2] == (403, 60323)
    fetched = api.get(_path(api, challenge["url"])).json()
    assert fetched["status"] == "expired"
    listed = api.get(f"{_entity_path(service)}/Challenges", {"Status": "expired"}).json()["challenges"]
    assert [item["sid"] for item in listed] == [challenge["sid"]]


def test_expiration_date_is_bounded_to_an_hour(api: Api, service: dict[str, Any]) -> None:
    factor = _totp_factor(api, service)
    path = f"{_entity_path(service)}/Challenges"
    for bad in ("2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "tomorrow"):
        assert error_of(api.post(path, {"FactorSid": factor["sid"], "ExpirationDate": bad}))[:2] == (
            400,
            60200,
        )


def test_challenges_list_filters_and_orders(api: Api, service: dict[str, Any]) -> None:
    factor = _totp_factor(api, service)
    path = f"{_entity_path(service)}/Challenges"
    sids = [api.create(path, {"FactorSid": factor["sid"]})["sid"] for _ in range(3)]

    ascending = api.get(path, {"PageSize": "2"}).json()
    assert [c["sid"] for c in ascending["challenges"]] == sids[:2]
    following = api.session.get(ascending["meta"]["next_page_url"], timeout=10).json()
    assert [c["sid"] for c in following["challenges"]] == sids[2:]

    descending = api.get(path, {"Order": "desc", "PageSize": "2"}).json()
    assert [c["sid"] for c in descending["challenges"]] == sids[::-1][:2]
    assert "Order=desc" in descending["meta"]["next_page_url"]
    rest = api.session.get(descending["meta"]["next_page_url"], timeout=10).json()
    assert [c["sid"] for c in rest["challenges"]] == sids[:1]
    assert api.get(path, {"FactorSid": "YF" + "1" * 32}).json()["challenges"] == []


def test_push_factor_needs_its_binding_and_a_real_signature(api: Api, service: dict[str, Any]) -> None:
    device = PushDevice()
    path = f"{_entity_path(service)}/Factors"
    params = {
        "FriendlyName": "phone",
        "FactorType": "push",
        "Binding.Alg": "ES256",
        "Binding.PublicKey": device.public_key,
        "Config.AppId": "com.example.app",
        "Config.NotificationPlatform": "none",
        "Config.SdkVersion": "1.0",
    }
    assert error_of(api.post(path, {**params, "Binding.PublicKey": "bm90IGEga2V5"}))[:2] == (400, 60200)
    assert error_of(api.post(path, {**params, "Binding.Alg": "RS256"}))[:2] == (400, 60200)
    factor = api.create(path, params)

    forged = PushDevice().verify_factor_payload(factor["sid"])
    assert error_of(api.post(_path(api, factor["url"]), {"AuthPayload": forged}))[:2] == (403, 60311)
    good = device.verify_factor_payload(factor["sid"])
    assert api.post(_path(api, factor["url"]), {"AuthPayload": good}).json()["status"] == "verified"

    challenge_path = f"{_entity_path(service)}/Challenges"
    assert error_of(api.post(challenge_path, {"FactorSid": factor["sid"]}))[:2] == (400, 60200)
    challenge = api.create(challenge_path, {"FactorSid": factor["sid"], "Details.Message": "Sign in?"})
    other = api.create(challenge_path, {"FactorSid": factor["sid"], "Details.Message": "Sign in?"})
    # As the Verify Push SDKs do: fetch the challenge, sign the fields its header names.
    fetched = api.get(_path(api, challenge["url"]))
    fields = fetched.headers["Twilio-Verify-Signature-Fields"]
    assert fields.split(",")[0] == "sid"
    partial = device.challenge_payload(fetched.json(), "approved", fields="sid")
    assert error_of(api.post(_path(api, challenge["url"]), {"AuthPayload": partial}))[:2] == (403, 60324)
    # A signature made for one challenge does not answer another.
    replayed = device.challenge_payload({**challenge, "sid": other["sid"]}, "approved")
    assert error_of(api.post(_path(api, challenge["url"]), {"AuthPayload": replayed}))[:2] == (403, 60324)
    denied = device.challenge_payload(fetched.json(), "denied", fields)
    assert api.post(_path(api, challenge["url"]), {"AuthPayload": denied}).json()["status"] == "denied"


def test_access_tokens_expire_after_their_ttl(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    path = f"/v2/Services/{service['sid']}/AccessTokens"
    assert error_of(api.post(path, {"Identity": IDENTITY, "FactorType": "totp"}))[:2] == (400, 60200)
    assert error_of(api.post(path, {"Identity": IDENTITY, "FactorType": "push", "Ttl": "30"}))[:2] == (
        400,
        60200,
    )
    token = api.create(path, {"Identity": IDENTITY, "FactorType": "push"})
    assert token["ttl"] == 60
    assert api.get(_path(api, token["url"])).status_code == 200
    emulator.advance_clock(60)
    assert error_of(api.get(_path(api, token["url"])))[:2] == (404, 20404)


def _passkey_factor(
    api: Api, service: dict[str, Any], authenticator: SoftwareAuthenticator
) -> dict[str, Any]:
    factor = api.session.post(
        f"{api.base_url}/v2/Services/{service['sid']}/Passkeys/Factors",
        json={"friendly_name": "Jo", "identity": IDENTITY},
        timeout=10,
    )
    assert factor.status_code == 201, factor.text
    body: dict[str, Any] = factor.json()
    return body


def _passkey_post(api: Api, service: dict[str, Any], name: str, body: dict[str, Any]) -> Any:
    return api.session.post(
        f"{api.base_url}/v2/Services/{service['sid']}/Passkeys/{name}", json=body, timeout=10
    )


def test_passkey_registration_checks(api: Api, service: dict[str, Any]) -> None:
    authenticator = SoftwareAuthenticator("https://elsewhere.example.com")
    factor = _passkey_factor(api, service, authenticator)
    wrong_origin = authenticator.create(factor["options"])
    assert error_of(_passkey_post(api, service, "VerifyFactor", wrong_origin))[:2] == (403, 60311)

    authenticator.origin = ORIGIN
    registration = authenticator.create(factor["options"])
    tampered = json.loads(json.dumps(registration))
    tampered["response"]["clientDataJSON"] = registration["response"]["clientDataJSON"][:-4] + "AAAA"
    assert error_of(_passkey_post(api, service, "VerifyFactor", tampered))[:2] == (403, 60311)
    assert _passkey_post(api, service, "VerifyFactor", registration).json()["status"] == "verified"
    # The registration challenge is spent.
    assert error_of(_passkey_post(api, service, "VerifyFactor", registration))[:2] == (403, 60311)


def test_passkey_challenge_needs_user_verification_when_required(api: Api) -> None:
    service = api.service(
        "Acme",
        **{
            "Passkeys.RelyingParty.Id": "login.example.com",
            "Passkeys.RelyingParty.Origins": ORIGIN,
            "Passkeys.UserVerification": "required",
        },
    )
    authenticator = SoftwareAuthenticator(ORIGIN)
    factor = _passkey_factor(api, service, authenticator)
    assert (
        _passkey_post(api, service, "VerifyFactor", authenticator.create(factor["options"])).status_code
        == 200
    )

    challenge = _passkey_post(api, service, "Challenges", {"identity": IDENTITY}).json()
    authenticator.user_verified = False
    assertion = authenticator.get(challenge["options"])
    assert error_of(_passkey_post(api, service, "ApproveChallenge", assertion))[:2] == (403, 60324)


def test_passkey_signature_is_checked_and_the_challenge_expires(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    authenticator = SoftwareAuthenticator(ORIGIN)
    factor = _passkey_factor(api, service, authenticator)
    _passkey_post(api, service, "VerifyFactor", authenticator.create(factor["options"]))

    challenge = _passkey_post(api, service, "Challenges", {"identity": IDENTITY}).json()
    assertion = authenticator.get(challenge["options"])
    bad = json.loads(json.dumps(assertion))
    bad["response"]["signature"] = authenticator.get(challenge["options"])["response"]["signature"]
    assert error_of(_passkey_post(api, service, "ApproveChallenge", bad))[:2] == (403, 60324)

    later = _passkey_post(api, service, "Challenges", {"identity": IDENTITY}).json()
    emulator.advance_clock(601)
    expired = authenticator.get(later["options"])
    assert error_of(_passkey_post(api, service, "ApproveChallenge", expired))[:2] == (403, 60323)


def test_passkeys_without_a_relying_party_are_refused(api: Api) -> None:
    bare = api.service("No Passkeys")
    response = _passkey_post(api, bare, "Factors", {"friendly_name": "Jo", "identity": IDENTITY})
    assert error_of(response)[:2] == (400, 60200)
    assert error_of(_passkey_post(api, bare, "Factors", {"identity": IDENTITY}))[:2] == (400, 20001)


def test_the_request_log_names_json_keys_never_values(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    _passkey_factor(api, service, SoftwareAuthenticator(ORIGIN))
    entry = emulator.requests()[-1]
    assert entry["path"].endswith("/Passkeys/Factors")
    assert entry["params"] == ["friendly_name", "identity"]


def test_push_verification_without_cryptography_answers_the_install_hint(
    api: Api, service: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    device = PushDevice()
    public_key = device.public_key
    for name in [name for name in sys.modules if name.startswith("cryptography")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "cryptography", None)  # as on an install without the extra
    factor = api.create(
        f"{_entity_path(service)}/Factors",
        {
            "FriendlyName": "phone",
            "FactorType": "push",
            "Binding.Alg": "ES256",
            "Binding.PublicKey": public_key,
            "Config.AppId": "com.example.app",
            "Config.NotificationPlatform": "none",
            "Config.SdkVersion": "1.0",
        },
    )
    # Any payload will do: the emulator cannot check it, and says why.
    response = api.post(_path(api, factor["url"]), {"AuthPayload": base64.b64encode(b"sig").decode()})
    status, _, message = error_of(response)
    assert status == 501 and "pip install 'verifyctl[emulator]'" in message


def test_factors_and_tokens_survive_a_restart_on_the_same_database(tmp_path: Path) -> None:
    database = tmp_path / "verify.sqlite3"
    with EmulatorServer(db_path=database) as first:
        api = Api(first.base_url, first.accounts[0])
        service = api.service("Acme")
        factor = _totp_factor(api, service, verified=False)
        token = api.create(
            f"/v2/Services/{service['sid']}/AccessTokens", {"Identity": IDENTITY, "FactorType": "push"}
        )
    with EmulatorServer(db_path=database) as second:
        api = Api(second.base_url, second.accounts[0])
        code = totp_code(factor["binding"]["secret"], emulator_now(api))
        answer = api.post(f"{_entity_path(service)}/Factors/{factor['sid']}", {"AuthPayload": code})
        assert answer.json()["status"] == "verified"
        fetched = api.get(f"/v2/Services/{service['sid']}/AccessTokens/{token['sid']}").json()
        assert fetched["token"] == token["token"]


def test_a_totp_challenge_can_be_answered_on_creation(api: Api, service: dict[str, Any]) -> None:
    factor = _totp_factor(api, service)
    path = f"{_entity_path(service)}/Challenges"
    good = totp_code(factor["binding"]["secret"], emulator_now(api))

    wrong = api.create(path, {"FactorSid": factor["sid"], "AuthPayload": _wrong(good)})
    assert wrong["status"] == "pending" and wrong["date_responded"] is None
    right = api.create(path, {"FactorSid": factor["sid"], "AuthPayload": good})
    assert right["status"] == "approved" and right["date_responded"] is not None


def test_challenge_details_are_checked(api: Api, service: dict[str, Any]) -> None:
    factor = _totp_factor(api, service)
    path = f"{_entity_path(service)}/Challenges"
    field = json.dumps({"label": "Action", "value": "Sign in"})
    made = api.create(
        path, {"FactorSid": factor["sid"], "Details.Message": "Hi", "Details.Fields": [field] * 2}
    )
    assert made["details"]["fields"] == [{"label": "Action", "value": "Sign in"}] * 2
    for bad in (
        {"Details.Fields": ["not json"]},
        {"Details.Fields": [json.dumps({"label": "x" * 37, "value": "v"})]},
        {"Details.Fields": [field] * 21},
        {"Details.Message": "x" * 257},
        {"HiddenDetails": '{"ip": 1}'},
    ):
        assert error_of(api.post(path, {"FactorSid": factor["sid"], **bad}))[:2] == (400, 60200), bad


def test_notifications_are_for_pending_push_challenges(api: Api, service: dict[str, Any]) -> None:
    factor = _totp_factor(api, service)
    challenge = api.create(f"{_entity_path(service)}/Challenges", {"FactorSid": factor["sid"]})
    notifications = _path(api, challenge["links"]["notifications"])
    assert error_of(api.post(notifications, {}))[:2] == (400, 60306)
    assert error_of(api.post(notifications, {"Ttl": "301"}))[:2] == (400, 60200)
    unknown = f"{_entity_path(service)}/Challenges/YC{'0' * 32}/Notifications"
    assert error_of(api.post(unknown, {}))[:2] == (404, 20404)


def test_factor_paths_check_the_identity(api: Api, service: dict[str, Any]) -> None:
    path = f"{_entity_path(service, 'bad id')}/Factors"
    assert error_of(api.post(path, {"FriendlyName": "phone", "FactorType": "totp"}))[:2] == (400, 60200)
    path = f"{_entity_path(service)}/Factors"
    assert error_of(api.post(path, {"FriendlyName": "phone", "FactorType": "sms"}))[:2] == (400, 60200)
    assert error_of(api.post(path, {"FriendlyName": "phone", "FactorType": "passkeys"}))[:2] == (400, 60306)
    assert error_of(api.post(path, {"FactorType": "totp"}))[:2] == (400, 20001)
