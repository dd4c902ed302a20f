"""Verification Attempts over HTTP: one per send, filters and paging, conversion, the Summary; Forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from tests.integration.emulator.support import PHONE, Api, admin, error_of
from verifyctl.emulator import EmulatorServer

SPAIN = "+34600000001"


def _send(api: Api, service: str, to: str = PHONE, channel: str = "sms") -> dict[str, Any]:
    return api.create(f"/v2/Services/{service}/Verifications", {"To": to, "Channel": channel})


def _code(emulator: EmulatorServer, to: str) -> str:
    return str(re.findall(r"\d{6}", emulator.messages(to=to)[-1]["body"])[-1])


def _attempts(api: Api, **filters: str) -> list[dict[str, Any]]:
    response = api.get("/v2/Attempts", filters)
    assert response.status_code == 200, response.text
    return list(response.json()["attempts"])


def test_each_send_is_an_attempt(api: Api, emulator: EmulatorServer) -> None:
    service = api.service("Acme")["sid"]
    first = _send(api, service)
    resent = _send(api, service)

    attempts = _attempts(api)

    assert [a["sid"] for a in attempts] == [s["attempt_sid"] for s in resent["send_code_attempts"]]
    attempt = attempts[0]
    assert list(attempt) == [
        "sid",
        "account_sid",
        "service_sid",
        "verification_sid",
        "date_created",
        "date_updated",
        "conversion_status",
        "channel",
        "price",
        "channel_data",
        "url",
    ]
    assert (attempt["account_sid"], attempt["service_sid"], attempt["verification_sid"]) == (
        api.account_sid,
        service,
        first["sid"],
    )
    assert (attempt["conversion_status"], attempt["channel"]) == ("unconverted", "sms")
    assert attempt["price"] == {"value": "0.00", "currency": "usd"}
    assert attempt["channel_data"] == {
        "verification_sid": first["sid"],
        "to": PHONE,
        "status": "unconfirmed",
        "error_code": None,
        "country": "US",
        "code_length": 6,
        "locale": "en",
        "message_status": "delivered",
        # As the spec's example ends: the carrier's codes and name (the emulator's one network).
        "mcc": "310",
        "mnc": "01",
        "carrier": "Verify emulator mobile",
    }
    assert attempt["url"] == f"{api.base_url}/v2/Attempts/{attempt['sid']}"
    assert api.get(f"/v2/Attempts/{attempt['sid']}").json() == attempt


def test_an_approved_verification_converts_its_attempts(api: Api, emulator: EmulatorServer) -> None:
    service = api.service()["sid"]
    _send(api, service)
    _send(api, service)
    other = _send(api, service, "+15550000002")

    code = _code(emulator, PHONE)
    check = api.post(f"/v2/Services/{service}/VerificationCheck", {"To": PHONE, "Code": code})
    assert check.json()["status"] == "approved"
    # Approval through the update endpoint converts too.
    api.post(f"/v2/Services/{service}/Verifications/{other['sid']}", {"Status": "approved"})
    _send(api, service, "+15550000003")

    attempts = _attempts(api)

    assert [a["conversion_status"] for a in attempts] == ["converted"] * 3 + ["unconverted"]
    assert [a["channel_data"]["status"] for a in attempts] == ["confirmed"] * 3 + ["unconfirmed"]
    assert len(_attempts(api, Status="converted")) == 3
    # The description spells the values upper-case.
    assert len(_attempts(api, Status="UNCONVERTED")) == 1


def test_an_attempt_of_an_expired_or_canceled_verification_is_expired(
    api: Api, emulator: EmulatorServer
) -> None:
    service = api.service()["sid"]
    canceled = _send(api, service, "+15550000001")
    api.post(f"/v2/Services/{service}/Verifications/{canceled['sid']}", {"Status": "canceled"})
    _send(api, service, "+15550000002")

    assert [a["channel_data"]["status"] for a in _attempts(api)] == ["expired", "unconfirmed"]

    emulator.advance_clock(600)

    assert [a["channel_data"]["status"] for a in _attempts(api)] == ["expired", "expired"]
    assert [a["conversion_status"] for a in _attempts(api)] == ["unconverted", "unconverted"]


def test_attempts_filters(api: Api, emulator: EmulatorServer) -> None:
    acme, other = api.service("Acme")["sid"], api.service("Other")["sid"]
    us = _send(api, acme)
    emulator.advance_clock(3600)
    spain = _send(api, acme, SPAIN, "whatsapp")
    mail = _send(api, other, "user@example.com", "email")
    call = _send(api, other, "+15550000002", "call")
    middle = spain["date_created"]

    def sids(**filters: str) -> list[str]:
        return [a["verification_sid"] for a in _attempts(api, **filters)]

    assert sids(VerifyServiceSid=acme) == [us["sid"], spain["sid"]]
    assert sids(VerificationSid=mail["sid"]) == [mail["sid"]]
    assert sids(**{"ChannelData.To": SPAIN}) == [spain["sid"]]
    assert sids(Country="ES") == [spain["sid"]]
    assert sids(Country="us") == [us["sid"], call["sid"]]
    assert sids(Channel="email") == [mail["sid"]]
    assert sids(Channel="call") == [call["sid"]]
    assert sids(DateCreatedBefore=middle) == [us["sid"]]
    assert sids(DateCreatedAfter=us["date_created"]) == [spain["sid"], mail["sid"], call["sid"]]
    assert sids(VerifyServiceSid=other, Channel="email") == [mail["sid"]]
    assert _attempts(api, Channel="rbm") == []
    call_attempt = _attempts(api, Channel="call")[0]
    assert call_attempt["channel_data"]["call_status"] == "completed"
    assert "message_status" not in call_attempt["channel_data"]
    email_data = _attempts(api, Channel="email")[0]["channel_data"]
    assert email_data["country"] is None
    # An e-mail address has no carrier: no carrier fields, rather than fields that mean nothing.
    assert not {"mcc", "mnc", "carrier"} & set(email_data)
    assert call_attempt["channel_data"]["mcc"] == "310"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Channel", "sna"),
        ("Status", "pending"),
        ("VerifyServiceSid", "VA123"),
        ("VerificationSid", "VA" + "a" * 32),
        ("DateCreatedAfter", "yesterday"),
        ("DateCreatedBefore", "2026-13-01T00:00:00Z"),
    ],
)
def test_bad_attempt_filters_are_refused(api: Api, name: str, value: str) -> None:
    status, code, message = error_of(api.get("/v2/Attempts", {name: value}))

    assert (status, code) == (400, 60200) and message.startswith(f"Invalid parameter: {name}")


def test_attempts_page_with_their_filters(api: Api) -> None:
    service = api.service()["sid"]
    other = api.service("Other")["sid"]
    sent = []
    for i in range(5):
        sent.append(_send(api, service, f"+1555000001{i}")["sid"])
        _send(api, other, f"+1555000002{i}")

    first = api.get("/v2/Attempts", {"VerifyServiceSid": service, "PageSize": "2"}).json()
    pages = [first]
    while pages[-1]["meta"]["next_page_url"]:
        url = pages[-1]["meta"]["next_page_url"]
        assert url.startswith(api.base_url + "/v2/Attempts?") and f"VerifyServiceSid={service}" in url
        pages.append(api.session.get(url, timeout=10).json())

    assert [len(page["attempts"]) for page in pages] == [2, 2, 1]
    assert [a["verification_sid"] for page in pages for a in page["attempts"]] == sent
    assert first["meta"]["key"] == "attempts" and first["meta"]["page_size"] == 2
    assert pages[-1]["meta"]["previous_page_url"] is not None


def test_an_unknown_attempt_is_404(api: Api) -> None:
    for sid in ("VL" + "0" * 32, "nope"):
        assert error_of(api.get(f"/v2/Attempts/{sid}"))[:2] == (404, 20404)


def test_attempts_are_per_account() -> None:
    account_a = ("AC" + "1" * 32, "token-a")
    account_b = ("AC" + "2" * 32, "token-b")
    with EmulatorServer(accounts=[account_a, account_b]) as server:
        api_a, api_b = Api(server.base_url, account_a), Api(server.base_url, account_b)
        _send(api_a, api_a.service()["sid"])
        [attempt] = _attempts(api_a)

        assert _attempts(api_b) == []
        assert api_b.get(f"/v2/Attempts/{attempt['sid']}").status_code == 404


def test_summary(api: Api, emulator: EmulatorServer) -> None:
    acme, other = api.service("Acme")["sid"], api.service("Other")["sid"]
    assert api.get("/v2/Attempts/Summary").json() == {
        "total_attempts": 0,
        "total_converted": 0,
        "total_unconverted": 0,
        "conversion_rate_percentage": None,
        "url": f"{api.base_url}/v2/Attempts/Summary",
    }
    _send(api, acme)
    _send(api, acme, SPAIN)
    _send(api, other, "+15550000002", "call")
    api.post(f"/v2/Services/{acme}/VerificationCheck", {"To": PHONE, "Code": _code(emulator, PHONE)})

    def summary(**filters: str) -> tuple[int, int, int, str | None]:
        body = api.get("/v2/Attempts/Summary", filters).json()
        return (
            body["total_attempts"],
            body["total_converted"],
            body["total_unconverted"],
            body["conversion_rate_percentage"],
        )

    assert summary() == (3, 1, 2, "33.333333333")
    assert summary(VerifyServiceSid=acme) == (2, 1, 1, "50")
    assert summary(Country="ES") == (1, 0, 1, "0")
    assert summary(Channel="call") == (1, 0, 1, "0")
    assert summary(DestinationPrefix="+1") == (2, 1, 1, "50")
    assert summary(DestinationPrefix="+34") == (1, 0, 1, "0")
    # A minute after every attempt, on the emulator's clock.
    moved = requests.post(
        f"{api.base_url}/__emulator__/clock", data={"advance": "60"}, headers=admin(emulator), timeout=10
    )
    later = moved.json()["now"]
    assert summary(DateCreatedAfter=later) == (0, 0, 0, None)
    assert summary(DateCreatedBefore="2100-01-01T00:00:00Z") == (3, 1, 2, "33.333333333")
    assert error_of(api.get("/v2/Attempts/Summary", {"Channel": "fax"}))[:2] == (400, 60200)


def test_sna_sends_leave_no_attempt(api: Api) -> None:
    # The Attempts channel enum has no `sna`; SNA delivers no message.
    _send(api, api.service()["sid"], PHONE, "sna")

    assert _attempts(api) == []


def test_forms(api: Api) -> None:
    form = api.get("/v2/Forms/form-push").json()

    assert list(form) == ["form_type", "forms", "form_meta", "url"]
    assert form["form_type"] == "form-push"
    assert sorted(form["forms"]) == ["create_challenge", "create_factor", "verify_factor"]
    assert form["forms"]["create_factor"]["required"] == ["binding", "config"]
    assert form["form_meta"] == {}
    assert form["url"] == f"{api.base_url}/v2/Forms/form-push"
    assert error_of(api.get("/v2/Forms/form-sms"))[:2] == (404, 20404)
    assert error_of(requests.get(api.base_url + "/v2/Forms/form-push", timeout=10))[:2] == (401, 20003)
