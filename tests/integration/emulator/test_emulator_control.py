"""The `/__emulator__` control endpoints: messages, the request log and the clock."""

from __future__ import annotations

import pytest
import requests

from tests.integration.emulator.support import PHONE, Api, admin, error_of
from verifyctl.emulator import EmulatorServer


def test_messages_endpoint_lists_and_filters(api: Api, emulator: EmulatorServer) -> None:
    service = api.service()["sid"]
    for to in (PHONE, "+15550000002"):
        api.create(f"/v2/Services/{service}/Verifications", {"To": to, "Channel": "sms"})

    everything = requests.get(
        emulator.base_url + "/__emulator__/messages", headers=admin(emulator), timeout=10
    ).json()["messages"]
    filtered = requests.get(
        emulator.base_url + "/__emulator__/messages",
        params={"to": PHONE},
        headers=admin(emulator),
        timeout=10,
    ).json()

    assert everything == emulator.messages()
    assert [list(m) for m in everything] == [
        ["to", "channel", "body", "service_sid", "verification_sid", "date_created"]
    ] * 2
    assert [m["to"] for m in filtered["messages"]] == [PHONE]


def test_request_log_lists_answered_requests_and_can_be_cleared(api: Api, emulator: EmulatorServer) -> None:
    api.service()
    api.get("/v2/Nope")
    requests.get(emulator.base_url + "/v2/Services", timeout=10)

    logged = requests.get(
        emulator.base_url + "/__emulator__/requests", headers=admin(emulator), timeout=10
    ).json()["requests"]

    assert [(r["method"], r["path"], r["status"], r["account_sid"]) for r in logged] == [
        ("POST", "/v2/Services", 201, api.account_sid),
        ("GET", "/v2/Nope", 404, api.account_sid),
        ("GET", "/v2/Services", 401, None),
    ]
    assert logged == emulator.requests()
    assert (
        requests.delete(
            emulator.base_url + "/__emulator__/requests", headers=admin(emulator), timeout=10
        ).status_code
        == 204
    )
    assert emulator.requests() == []
    api.get("/v2/Services", {"PageSize": "5"})
    assert [(r["method"], r["path"]) for r in emulator.requests()] == [("GET", "/v2/Services")]


def test_clock_endpoint_moves_time(api: Api, emulator: EmulatorServer) -> None:
    service = api.service()["sid"]
    api.create(f"/v2/Services/{service}/Verifications", {"To": PHONE, "Channel": "sms"})

    moved = requests.post(
        emulator.base_url + "/__emulator__/clock",
        data={"advance": "601"},
        headers=admin(emulator),
        timeout=10,
    )

    assert moved.status_code == 200 and "now" in moved.json()
    check = api.post(f"/v2/Services/{service}/VerificationCheck", {"To": PHONE, "Code": "123456"})
    assert check.status_code == 404


def test_bad_control_requests_are_refused(emulator: EmulatorServer) -> None:
    base = emulator.base_url + "/__emulator__"
    session = requests.Session()
    session.headers.update(admin(emulator))
    for value in ("soon", "nan", ""):
        response = session.post(base + "/clock", data={"advance": value}, timeout=10)
        assert error_of(response)[:2] == (400, 60200)
    assert error_of(session.get(base + "/clock", timeout=10))[:2] == (405, 20004)
    assert error_of(session.post(base + "/messages", timeout=10))[:2] == (405, 20004)
    assert error_of(session.put(base + "/requests", timeout=10))[:2] == (405, 20004)
    assert error_of(session.get(base + "/nothing", timeout=10))[:2] == (404, 20404)


def test_the_request_log_keeps_only_the_latest_requests() -> None:
    with EmulatorServer(request_log_size=3) as server:
        api = Api(server.base_url, server.accounts[0])
        for size in range(1, 6):
            api.get("/v2/Services", {"PageSize": str(size)})
        api.get("/v2/Nope")

        logged = requests.get(
            server.base_url + "/__emulator__/requests", headers=admin(server), timeout=10
        ).json()["requests"]

    assert [(r["path"], r["status"]) for r in logged] == [
        ("/v2/Services", 200),
        ("/v2/Services", 200),
        ("/v2/Nope", 404),
    ]
    assert logged == server.requests()


def test_a_request_log_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="request_log_size"):
        EmulatorServer(request_log_size=0)
