"""The Verify workflow over HTTP: sending codes, resends, checks, limits, expiry, cancel and approve."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.emulator.support import PHONE, Api, error_of
from verifyctl.emulator import EmulatorServer


@pytest.fixture
def service(api: Api) -> dict[str, Any]:
    return api.service("Acme Login")


def _send(api: Api, service_sid: str, to: str = PHONE, channel: str = "sms", **extra: str) -> Any:
    return api.post(f"/v2/Services/{service_sid}/Verifications", {"To": to, "Channel": channel, **extra})


def _check(api: Api, service_sid: str, code: str, **by: str) -> Any:
    return api.post(f"/v2/Services/{service_sid}/VerificationCheck", {"Code": code, **(by or {"To": PHONE})})


def _code(emulator: EmulatorServer, to: str = PHONE) -> str:
    return str(emulator.messages(to=to)[-1]["body"].split("verification code is: ")[1][:6])


def _wrong(code: str) -> str:
    return "".join(str((int(digit) + 1) % 10) for digit in code)


def test_send_creates_a_pending_verification_and_records_the_message(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    response = _send(api, service["sid"])

    assert response.status_code == 201
    verification = response.json()
    assert re.match(r"^VE[0-9a-f]{32}$", verification["sid"])
    assert (verification["status"], verification["valid"], verification["channel"]) == (
        "pending",
        False,
        "sms",
    )
    assert (verification["to"], verification["service_sid"]) == (PHONE, service["sid"])
    [attempt] = verification["send_code_attempts"]
    assert attempt["channel"] == "SMS" and re.match(r"^VL[0-9a-f]{32}$", attempt["attempt_sid"])
    assert (
        verification["url"]
        == f"{api.base_url}/v2/Services/{service['sid']}/Verifications/{verification['sid']}"
    )
    [message] = emulator.messages(to=PHONE)
    assert re.fullmatch(r"Your Acme Login verification code is: \d{6}", message["body"])
    assert (message["channel"], message["service_sid"], message["verification_sid"]) == (
        "sms",
        service["sid"],
        verification["sid"],
    )
    assert (
        api.get(f"/v2/Services/{service['sid']}/Verifications/{verification['sid']}").json() == verification
    )


def test_code_has_the_services_code_length(api: Api, emulator: EmulatorServer) -> None:
    service = api.service("Long Codes", CodeLength="9")

    _send(api, service["sid"])

    assert re.fullmatch(r"Your Long Codes verification code is: \d{9}", emulator.messages()[-1]["body"])


def test_do_not_share_warning_is_added_to_sms_only(api: Api, emulator: EmulatorServer) -> None:
    service = api.service("Acme", DoNotShareWarningEnabled="true")

    _send(api, service["sid"], PHONE, "sms")
    _send(api, service["sid"], "user@example.com", "email")

    sms, email = emulator.messages()
    assert sms["body"].endswith(
        " verification code is: " + _code(emulator) + ". Don't share this code with anyone; "
        "our employees will never ask for the code."
    )
    assert re.fullmatch(r"Your Acme verification code is: \d{6}", email["body"])
    assert email["to"] == "user@example.com"


def test_custom_friendly_name_replaces_the_service_name(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    _send(api, service["sid"], CustomFriendlyName="Acme Checkout")

    assert emulator.messages()[-1]["body"].startswith("Your Acme Checkout verification code is: ")


def test_custom_code_is_used_when_the_service_allows_it(api: Api, emulator: EmulatorServer) -> None:
    service = api.service("Custom", CustomCodeEnabled="true")

    _send(api, service["sid"], CustomCode="4242")

    assert emulator.messages()[-1]["body"] == "Your Custom verification code is: 4242"
    assert _check(api, service["sid"], "4242").json()["status"] == "approved"


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"Channel": "sms"}, 20001, "Missing required parameter To in the post body"),
        ({"To": PHONE}, 20001, "Missing required parameter Channel in the post body"),
        ({"To": PHONE, "Channel": "pigeon"}, 60200, "Invalid parameter: Channel"),
        ({"To": "a@example.com", "Channel": "sna"}, 60200, "Invalid parameter: To"),
        ({"To": PHONE, "Channel": "auto", "DeviceIp": "1.2.3"}, 60200, "Invalid parameter: DeviceIp"),
        ({"To": "5017122661", "Channel": "sms"}, 60200, "Invalid parameter: To"),
        ({"To": PHONE, "Channel": "email"}, 60200, "Invalid parameter: To"),
        ({"To": "a@example.com", "Channel": "call"}, 60200, "Invalid parameter: To"),
        ({"To": PHONE, "Channel": "sms", "CustomCode": "1234"}, 60200, "Invalid parameter: CustomCode"),
        ({"To": PHONE, "Channel": "sms", "Amount": "10"}, 60200, "Invalid parameter: Amount"),
        ({"To": PHONE, "Channel": "sms", "TemplateSid": "HJ1"}, 60200, "Invalid parameter: TemplateSid"),
        ({"To": PHONE, "Channel": "sms", "RiskCheck": "maybe"}, 60200, "Invalid parameter: RiskCheck"),
        ({"To": PHONE, "Channel": "sms", "RateLimits": "not json"}, 60200, "Invalid parameter: RateLimits"),
    ],
)
def test_bad_sends_are_refused(
    api: Api,
    emulator: EmulatorServer,
    service: dict[str, Any],
    params: dict[str, str],
    code: int,
    message: str,
) -> None:
    status, got_code, got_message = error_of(api.post(f"/v2/Services/{service['sid']}/Verifications", params))

    assert (status, got_code) == (400, code) and got_message.startswith(message)
    assert emulator.messages() == []


def test_custom_code_must_have_4_to_10_characters(api: Api) -> None:
    service = api.service("Custom", CustomCodeEnabled="true")

    assert error_of(_send(api, service["sid"], CustomCode="123"))[:2] == (400, 60200)
    assert error_of(_send(api, service["sid"], CustomCode="12345678901"))[:2] == (400, 60200)


def test_psd2_fields_are_kept_when_the_service_enables_psd2(api: Api) -> None:
    service = api.service("Payments", Psd2Enabled="true")

    verification = _send(api, service["sid"], Amount="€39.99", Payee="Acme Inc.").json()

    assert (verification["amount"], verification["payee"]) == ("€39.99", "Acme Inc.")


def test_resend_keeps_the_verification_and_its_code(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    first = _send(api, service["sid"]).json()
    code = _code(emulator)

    second = _send(api, service["sid"], channel="whatsapp")

    assert second.status_code == 201
    again = second.json()
    assert again["sid"] == first["sid"]
    assert again["channel"] == "whatsapp"
    assert [a["channel"] for a in again["send_code_attempts"]] == ["SMS", "whatsapp"]
    assert [m["channel"] for m in emulator.messages()] == ["sms", "whatsapp"]
    assert _code(emulator) == code


def test_more_than_five_sends_are_429_60203(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    for _ in range(5):
        assert _send(api, service["sid"]).status_code == 201

    assert error_of(_send(api, service["sid"])) == (429, 60203, "Max send attempts reached")
    assert len(emulator.messages()) == 5
    # The verification itself is still pending and can be checked.
    assert _check(api, service["sid"], _code(emulator)).json()["status"] == "approved"


def test_wrong_code_stays_pending_then_right_code_approves(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    verification = _send(api, service["sid"]).json()
    code = _code(emulator)

    wrong = _check(api, service["sid"], _wrong(code))
    right = _check(api, service["sid"], code)

    assert wrong.status_code == 200
    assert (wrong.json()["status"], wrong.json()["valid"]) == ("pending", False)
    assert right.status_code == 200
    assert (right.json()["status"], right.json()["valid"], right.json()["sid"]) == (
        "approved",
        True,
        verification["sid"],
    )
    assert right.json()["sna_attempts_error_codes"] == []
    path = f"/Services/{service['sid']}/VerificationCheck"
    assert error_of(_check(api, service["sid"], code)) == (
        404,
        20404,
        f"The requested resource {path} was not found",
    )
    assert error_of(api.get(f"/v2/Services/{service['sid']}/Verifications/{verification['sid']}"))[:2] == (
        404,
        20404,
    )


def test_check_by_verification_sid(api: Api, emulator: EmulatorServer, service: dict[str, Any]) -> None:
    verification = _send(api, service["sid"]).json()

    checked = _check(api, service["sid"], _code(emulator), VerificationSid=verification["sid"])

    assert checked.json()["status"] == "approved"


def test_five_wrong_checks_then_429_60202_then_gone(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    verification = _send(api, service["sid"]).json()
    code = _code(emulator)

    for _ in range(5):
        wrong = _check(api, service["sid"], _wrong(code))
        assert (wrong.status_code, wrong.json()["status"]) == (200, "pending")

    assert error_of(_check(api, service["sid"], code)) == (429, 60202, "Max check attempts reached")
    assert error_of(_check(api, service["sid"], code))[:2] == (404, 20404)
    assert api.get(f"/v2/Services/{service['sid']}/Verifications/{verification['sid']}").status_code == 404


def test_verification_expires_after_ten_minutes(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    old = _send(api, service["sid"]).json()
    code = _code(emulator)
    emulator.advance_clock(599)
    assert api.get(f"/v2/Services/{service['sid']}/Verifications/{old['sid']}").status_code == 200

    emulator.advance_clock(1)

    assert error_of(_check(api, service["sid"], code))[:2] == (404, 20404)
    assert api.get(f"/v2/Services/{service['sid']}/Verifications/{old['sid']}").status_code == 404
    new = _send(api, service["sid"]).json()
    assert new["sid"] != old["sid"] and len(new["send_code_attempts"]) == 1


def test_cancel_ends_the_verification(api: Api, emulator: EmulatorServer, service: dict[str, Any]) -> None:
    verification = _send(api, service["sid"]).json()
    path = f"/v2/Services/{service['sid']}/Verifications/{verification['sid']}"

    canceled = api.post(path, {"Status": "canceled"})

    assert canceled.status_code == 200
    assert (canceled.json()["status"], canceled.json()["valid"]) == ("canceled", False)
    assert error_of(_check(api, service["sid"], _code(emulator)))[:2] == (404, 20404)
    assert api.get(path).status_code == 404
    assert api.post(path, {"Status": "approved"}).status_code == 404


def test_approve_by_update(api: Api, emulator: EmulatorServer, service: dict[str, Any]) -> None:
    verification = _send(api, service["sid"]).json()

    approved = api.post(
        f"/v2/Services/{service['sid']}/Verifications/{verification['sid']}", {"Status": "approved"}
    )

    assert (approved.json()["status"], approved.json()["valid"]) == ("approved", True)
    assert _check(api, service["sid"], _code(emulator)).status_code == 404
    # A new send after approval starts a new verification.
    assert _send(api, service["sid"]).json()["sid"] != verification["sid"]


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({}, 20001, "Missing required parameter Status in the post body"),
        ({"Status": "pending"}, 60200, "Invalid parameter: Status"),
        ({"Status": "expired"}, 60200, "Invalid parameter: Status"),
    ],
)
def test_bad_status_updates_are_refused(
    api: Api, service: dict[str, Any], params: dict[str, str], code: int, message: str
) -> None:
    verification = _send(api, service["sid"]).json()

    response = api.post(f"/v2/Services/{service['sid']}/Verifications/{verification['sid']}", params)

    status, got_code, got_message = error_of(response)
    assert (status, got_code) == (400, code) and got_message.startswith(message)


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"To": PHONE}, 20001, "Missing required parameter Code in the post body"),
        ({"Code": "123456"}, 20001, "Missing required parameter To or VerificationSid in the post body"),
        ({"Code": "123", "To": PHONE}, 60200, "Invalid parameter: Code"),
        ({"Code": "12345678901", "To": PHONE}, 60200, "Invalid parameter: Code"),
        ({"Code": "123456", "VerificationSid": "VE1"}, 60200, "Invalid parameter: VerificationSid"),
    ],
)
def test_bad_checks_are_refused(
    api: Api, service: dict[str, Any], params: dict[str, str], code: int, message: str
) -> None:
    _send(api, service["sid"])

    status, got_code, got_message = error_of(
        api.post(f"/v2/Services/{service['sid']}/VerificationCheck", params)
    )

    assert (status, got_code) == (400, code) and got_message.startswith(message)


def test_unknown_service_or_verification_is_404(api: Api, service: dict[str, Any]) -> None:
    missing_service = "VA" + "0" * 32
    assert error_of(_send(api, missing_service))[:2] == (404, 20404)
    assert error_of(_check(api, missing_service, "123456"))[:2] == (404, 20404)
    assert error_of(_check(api, service["sid"], "123456", To="+15550000000"))[:2] == (404, 20404)
    path = f"/v2/Services/{service['sid']}/Verifications/VE{'0' * 32}"
    assert error_of(api.get(path)) == (404, 20404, f"The requested resource {path[3:]} was not found")


def test_messages_are_filtered_by_recipient(
    api: Api, emulator: EmulatorServer, service: dict[str, Any]
) -> None:
    _send(api, service["sid"], "+15550000001")
    _send(api, service["sid"], "+15550000002")

    assert [m["to"] for m in emulator.messages()] == ["+15550000001", "+15550000002"]
    assert [m["to"] for m in emulator.messages(to="+15550000002")] == ["+15550000002"]
