"""The `sna` and `auto` channels, localized message text, and Twilio's specific configuration error codes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.emulator.support import MG_SID, PHONE, Api, error_of
from verifyctl.emulator import EmulatorServer


@pytest.fixture
def service(api: Api) -> str:
    return str(api.service("Acme Login")["sid"])


def _send(api: Api, service: str, to: str = PHONE, channel: str = "sms", **extra: str) -> dict[str, Any]:
    return api.create(f"/v2/Services/{service}/Verifications", {"To": to, "Channel": channel, **extra})


# Channels ----------------------------------------------------------------------------------------


def test_sna_answers_the_url_and_sends_no_message(api: Api, emulator: EmulatorServer, service: str) -> None:
    verification = _send(api, service, channel="sna")

    assert (verification["channel"], verification["status"]) == ("sna", "pending")
    assert verification["sna"] == {"url": f"{api.base_url}/__emulator__/sna/{verification['sid']}"}
    # The spec's example spells the SNA attempt channel lower-case.
    assert verification["send_code_attempts"][0]["channel"] == "sna"
    assert emulator.messages() == []
    # As with custom codes, the application can approve it.
    approved = api.post(
        f"/v2/Services/{service}/Verifications/{verification['sid']}", {"Status": "approved"}
    ).json()
    assert approved["status"] == "approved"


def test_checking_an_sna_verification_reports_the_result_pending(
    api: Api, emulator: EmulatorServer, service: str
) -> None:
    verification = _send(api, service, channel="sna")
    check = f"/v2/Services/{service}/VerificationCheck"

    # SNA needs no code; without a carrier the result stays pending (60519, "SNA Verification Result
    # Pending"), which is what an application sees before falling back to SMS.
    for by in ({"To": PHONE}, {"VerificationSid": verification["sid"]}, {"To": PHONE, "Code": "123456"}):
        answer = api.post(check, by)
        assert answer.status_code == 200
        body = answer.json()
        assert (body["status"], body["valid"], body["channel"]) == ("pending", False, "sna")
        assert body["sna_attempts_error_codes"] == [
            {"attempt_sid": verification["send_code_attempts"][0]["attempt_sid"], "code": 60519}
        ]

    # Falling back: a new send on SMS (same pending verification) delivers a code that checks.
    fallback = _send(api, service, channel="sms")
    assert (fallback["sid"], fallback["channel"], fallback["sna"]) == (verification["sid"], "sms", None)
    code = emulator.messages(to=PHONE)[-1]["body"].rsplit(" ", 1)[1]
    approved = api.post(check, {"To": PHONE, "Code": code}).json()
    assert (approved["status"], approved["channel"]) == ("approved", "sms")


def test_an_sms_check_still_needs_its_code(api: Api, service: str) -> None:
    _send(api, service)

    assert error_of(api.post(f"/v2/Services/{service}/VerificationCheck", {"To": PHONE}))[:2] == (400, 20001)


def test_other_channels_answer_sna_null(api: Api, service: str) -> None:
    assert _send(api, service)["sna"] is None


# The spec's `sna` and `auto` examples carry the carrier Verify looked up; its other examples `lookup: {}`.
EMULATED_CARRIER = {
    "mobile_country_code": "310",
    "type": "mobile",
    "error_code": None,
    "mobile_network_code": "01",
    "name": "Verify emulator mobile",
}


@pytest.mark.parametrize(
    ("channel", "extra"),
    [("sna", {}), ("auto", {"DeviceIp": "198.51.100.7"}), ("auto", {})],
    ids=["sna", "auto-as-sna", "auto-as-sms"],
)
def test_sna_and_auto_verifications_carry_the_carrier_lookup(
    api: Api, service: str, channel: str, extra: dict[str, str]
) -> None:
    verification = _send(api, service, channel=channel, **extra)

    assert verification["lookup"] == {"carrier": EMULATED_CARRIER}
    # In the spec example's key order, and kept by a fetch.
    assert list(verification["lookup"]["carrier"]) == list(EMULATED_CARRIER)
    fetched = api.get(f"/v2/Services/{service}/Verifications/{verification['sid']}").json()
    assert fetched["lookup"] == verification["lookup"]


def test_the_carrier_follows_the_numbers_country(api: Api, service: str) -> None:
    british = _send(api, service, to="+447700900123", channel="sna")["lookup"]["carrier"]
    unknown = _send(api, service, to="+9995550100", channel="sna")["lookup"]["carrier"]

    assert (british["mobile_country_code"], british["mobile_network_code"]) == ("234", "01")
    assert unknown == dict.fromkeys(EMULATED_CARRIER)


def test_other_channels_have_an_empty_lookup_until_an_sna_resend(api: Api, service: str) -> None:
    for channel, to in (("sms", PHONE), ("call", PHONE), ("email", "a@example.com")):
        assert _send(api, service, to=to, channel=channel)["lookup"] == {}

    assert _send(api, service, channel="sna")["lookup"] == {"carrier": EMULATED_CARRIER}


def test_auto_without_a_device_ip_falls_back_to_sms(api: Api, emulator: EmulatorServer, service: str) -> None:
    verification = _send(api, service, channel="auto")

    assert (verification["channel"], verification["sna"]) == ("sms", None)
    assert verification["send_code_attempts"][0]["channel"] == "SMS"
    [message] = emulator.messages(to=PHONE)
    assert message["channel"] == "sms"


@pytest.mark.parametrize("device_ip", ["198.51.100.7", "2001:db8::1"])
def test_auto_with_a_device_ip_uses_sna(
    api: Api, emulator: EmulatorServer, service: str, device_ip: str
) -> None:
    verification = _send(api, service, channel="auto", DeviceIp=device_ip)

    assert verification["channel"] == "sna" and verification["sna"]["url"].endswith(verification["sid"])
    assert emulator.messages() == []


# Locales -----------------------------------------------------------------------------------------


def _body(emulator: EmulatorServer, to: str = PHONE) -> str:
    return str(emulator.messages(to=to)[-1]["body"])


@pytest.mark.parametrize(
    ("locale", "prefix"),
    [
        ("es", "Tu código de verificación de Acme Login es: "),
        ("es-MX", "Tu código de verificación de Acme Login es: "),
        ("fr", "Votre code de vérification Acme Login est : "),
        ("de", "Ihr Acme Login Verifizierungscode lautet: "),
        ("it", "Il tuo codice di verifica Acme Login è: "),
        ("pt", "O seu código de verificação Acme Login é: "),
        ("pt-BR", "Seu código de verificação Acme Login é: "),
        ("pt_BR", "Seu código de verificação Acme Login é: "),
        ("nl", "Je Acme Login verificatiecode is: "),
        ("sv", "Din verifieringskod för Acme Login är: "),
        ("da", "Din bekræftelseskode til Acme Login er: "),
        ("nb", "Din bekreftelseskode for Acme Login er: "),
        ("fi", "Acme Login-vahvistuskoodisi on: "),
        ("pl", "Twój kod weryfikacyjny Acme Login to: "),
        ("tr", "Acme Login doğrulama kodunuz: "),
        ("ru", "Ваш код подтверждения Acme Login: "),
        ("zh-CN", "您的 Acme Login 验证码是："),
        ("zh-HK", "您的 Acme Login 驗證碼是："),
        ("en-GB", "Your Acme Login verification code is: "),
        # A language without a translation in the emulator's table falls back to English.
        ("af", "Your Acme Login verification code is: "),
        ("xx-YY", "Your Acme Login verification code is: "),
    ],
)
def test_locale_selects_the_message_language(
    api: Api, emulator: EmulatorServer, service: str, locale: str, prefix: str
) -> None:
    _send(api, service, Locale=locale)

    body = _body(emulator)
    assert body.startswith(prefix), body
    assert body[len(prefix) :].isdigit() and len(body[len(prefix) :]) == 6


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ja", "Acme Login の認証コードは {code} です"), ("ko", "Acme Login 인증 코드는 {code}입니다")],
)
def test_languages_that_put_the_code_inside_the_sentence(
    api: Api, emulator: EmulatorServer, service: str, locale: str, expected: str
) -> None:
    _send(api, service, Locale=locale)

    body = _body(emulator)
    [code] = [word for word in body.replace("입니다", " ").split() if word.isdigit()]
    assert body == expected.format(code=code)


def test_custom_friendly_name_is_used_in_the_localized_text(
    api: Api, emulator: EmulatorServer, service: str
) -> None:
    _send(api, service, Locale="es", CustomFriendlyName="Banco")

    assert _body(emulator).startswith("Tu código de verificación de Banco es: ")


def test_locale_resolves_from_the_phone_numbers_country(
    api: Api, emulator: EmulatorServer, service: str
) -> None:
    spain, brazil, britain, japan = "+34600000001", "+5511900000001", "+447700900001", "+819012345678"
    for to in (spain, brazil, britain, japan):
        _send(api, service, to)
    _send(api, service, "user@example.com", "email")

    assert _body(emulator, spain).startswith("Tu código de verificación de Acme Login es: ")
    assert _body(emulator, brazil).startswith("Seu código de verificação Acme Login é: ")
    assert _body(emulator, britain).startswith("Your Acme Login verification code is: ")
    assert _body(emulator, japan).startswith("Acme Login の認証コードは ")
    assert _body(emulator, "user@example.com").startswith("Your Acme Login verification code is: ")
    assert api.get("/v2/Attempts", {"Country": "ES"}).json()["attempts"][0]["channel_data"]["locale"] == "es"


def test_the_locale_parameter_overrides_the_country(api: Api, emulator: EmulatorServer, service: str) -> None:
    _send(api, service, "+34600000001", Locale="en")

    assert _body(emulator, "+34600000001").startswith("Your Acme Login verification code is: ")


def test_the_do_not_share_warning_stays_on_english_messages(api: Api, emulator: EmulatorServer) -> None:
    service = str(api.service("Acme", DoNotShareWarningEnabled="true")["sid"])
    _send(api, service, PHONE)
    _send(api, service, "+15550000002", Locale="es")

    assert "Don't share this code" in _body(emulator, PHONE)
    assert "Don't share" not in _body(emulator, "+15550000002")


# Twilio's specific error codes -------------------------------------------------------------------


def test_a_second_bucket_with_the_same_interval_is_60211(api: Api, service: str) -> None:
    rate_limit = api.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": "ip"})["sid"]
    base = f"/v2/Services/{service}/RateLimits/{rate_limit}/Buckets"
    first = api.create(base, {"Max": "5", "Interval": "60"})
    second = api.create(base, {"Max": "50", "Interval": "3600"})
    expected = (400, 60211, "Bucket with the given Interval already exists")

    assert error_of(api.post(base, {"Max": "10", "Interval": "60"})) == expected
    # Updating a bucket onto another's interval is refused too; keeping its own is not.
    assert error_of(api.post(f"{base}/{second['sid']}", {"Interval": "60"})) == expected
    assert api.post(f"{base}/{first['sid']}", {"Interval": "60", "Max": "6"}).status_code == 200
    assert [b["interval"] for b in api.get(base).json()["buckets"]] == [60, 3600]
    # The same interval in another rate limit is fine.
    other = api.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": "user"})["sid"]
    api.create(f"/v2/Services/{service}/RateLimits/{other}/Buckets", {"Max": "5", "Interval": "60"})


@pytest.mark.parametrize("name", ["end user", "ip/v4", "naïve", "a,b"])
def test_a_unique_name_with_other_characters_is_60209(api: Api, service: str, name: str) -> None:
    assert error_of(api.post(f"/v2/Services/{service}/RateLimits", {"UniqueName": name})) == (
        400,
        60209,
        "UniqueName format is invalid",
    )


@pytest.mark.parametrize("name", ["end_user_ip", "unique.name", "session-id", "A1"])
def test_unique_names_of_letters_digits_dashes_underscores_and_dots_are_accepted(
    api: Api, service: str, name: str
) -> None:
    assert api.post(f"/v2/Services/{service}/RateLimits", {"UniqueName": name}).status_code == 201


def test_documented_codes_for_duplicates(api: Api, service: str) -> None:
    # 60208 and 60213 as their error pages name them (HTTP 400 both).
    api.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": "ip"})
    api.create(
        f"/v2/Services/{service}/MessagingConfigurations", {"Country": "GB", "MessagingServiceSid": MG_SID}
    )

    assert error_of(api.post(f"/v2/Services/{service}/RateLimits", {"UniqueName": "ip"}))[:2] == (400, 60208)
    duplicate = api.post(
        f"/v2/Services/{service}/MessagingConfigurations", {"Country": "gb", "MessagingServiceSid": MG_SID}
    )
    assert error_of(duplicate)[:2] == (400, 60213)


def test_a_psd2_service_requires_amount_and_payee_and_refuses_calls(api: Api) -> None:
    service = str(api.service("Payments", Psd2Enabled="true")["sid"])
    path = f"/v2/Services/{service}/Verifications"
    required = (400, 60206, "'Amount' & 'Payee' params are required")

    # twilio.com/docs/api/errors/60206 and /60214, HTTP 400 both.
    assert error_of(api.post(path, {"To": PHONE, "Channel": "sms"})) == required
    assert error_of(api.post(path, {"To": PHONE, "Channel": "sms", "Amount": "€39.99"})) == required
    assert error_of(api.post(path, {"To": PHONE, "Channel": "sms", "Payee": "Acme"})) == required
    psd2_call = {"To": PHONE, "Channel": "call", "Amount": "€39.99", "Payee": "Acme"}
    no_call = (400, 60214, "Call channel is not supported when using PSD2")
    assert error_of(api.post(path, psd2_call)) == no_call
    assert api.post(path, {**psd2_call, "Channel": "sms"}).status_code == 201
