"""Service Rate Limits enforced on verification create: buckets, keys, the moved clock and the Safe List."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.emulator.support import PHONE, Api, admin, error_of
from verifyctl.emulator import EmulatorServer

IP = "198.51.100.1"


@pytest.fixture
def service(api: Api) -> str:
    return str(api.service()["sid"])


def _rate_limit(api: Api, service: str, name: str, *buckets: tuple[int, int]) -> str:
    sid = str(api.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": name})["sid"])
    for max_, interval in buckets:
        api.create(
            f"/v2/Services/{service}/RateLimits/{sid}/Buckets", {"Max": str(max_), "Interval": str(interval)}
        )
    return sid


def _send(api: Api, service: str, to: str = PHONE, **keys: Any) -> requests.Response:
    data = {"To": to, "Channel": "sms", "RateLimits": json.dumps(keys)}
    return api.post(f"/v2/Services/{service}/Verifications", data)


def test_bucket_refuses_the_send_after_max_and_accepts_again_after_its_interval(
    api: Api, emulator: EmulatorServer, service: str
) -> None:
    _rate_limit(api, service, "end_user_ip", (2, 600))
    numbers = ["+15550000001", "+15550000002", "+15550000003"]

    accepted = [_send(api, service, to, end_user_ip=IP).status_code for to in numbers[:2]]
    refused = _send(api, service, numbers[2], end_user_ip=IP)

    assert accepted == [201, 201]
    assert error_of(refused) == (429, 20429, "Too many requests")
    assert refused.headers["Twilio-Reached-Rate-Limit"] == "end_user_ip"
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    # Refused before anything was sent, and visible in the request log.
    assert emulator.messages(to=numbers[2]) == []
    logged = requests.get(
        emulator.base_url + "/__emulator__/requests", headers=admin(emulator), timeout=10
    ).json()["requests"]
    last = logged[-1]
    assert (last["method"], last["path"], last["status"], last["account_sid"]) == (
        "POST",
        f"/v2/Services/{service}/Verifications",
        429,
        api.account_sid,
    )
    assert last["params"] == ["Channel", "RateLimits", "To"]
    # Another key value has its own window.
    assert _send(api, service, numbers[2], end_user_ip="203.0.113.9").status_code == 201

    emulator.advance_clock(600)

    assert _send(api, service, numbers[2], end_user_ip=IP).status_code == 201


def test_a_refused_send_is_not_counted(api: Api, emulator: EmulatorServer, service: str) -> None:
    _rate_limit(api, service, "end_user_ip", (1, 60))
    assert _send(api, service, "+15550000001", end_user_ip=IP).status_code == 201
    emulator.advance_clock(30)
    assert _send(api, service, "+15550000002", end_user_ip=IP).status_code == 429

    # 60 s after the first (accepted) send its window is over; the refused one at 30 s never counted.
    emulator.advance_clock(30)

    assert _send(api, service, "+15550000002", end_user_ip=IP).status_code == 201


def test_every_bucket_of_a_rate_limit_applies(api: Api, emulator: EmulatorServer, service: str) -> None:
    _rate_limit(api, service, "user", (1, 60), (2, 3600))
    assert _send(api, service, "+15550000001", user="u1").status_code == 201
    assert _send(api, service, "+15550000002", user="u1").status_code == 429  # the 60 s bucket

    emulator.advance_clock(60)
    assert _send(api, service, "+15550000002", user="u1").status_code == 201

    emulator.advance_clock(60)
    # The 60 s bucket allows it; the hour bucket has seen its 2.
    assert _send(api, service, "+15550000003", user="u1").status_code == 429


def test_several_rate_limits_in_one_request(api: Api, service: str) -> None:
    _rate_limit(api, service, "ip", (5, 600))
    _rate_limit(api, service, "session", (1, 600))

    assert _send(api, service, "+15550000001", ip=IP, session="s1").status_code == 201
    refused = _send(api, service, "+15550000002", ip=IP, session="s1")

    assert refused.status_code == 429 and refused.headers["Twilio-Reached-Rate-Limit"] == "session"


def test_without_rate_limits_or_buckets_nothing_is_limited(api: Api, service: str) -> None:
    _rate_limit(api, service, "no_buckets")
    _rate_limit(api, service, "ip", (1, 600))

    assert [_send(api, service, f"+1555000000{i}", no_buckets="k").status_code for i in range(3)] == [201] * 3
    # A send that names no rate limit is not metered by the `ip` buckets.
    plain = [
        api.post(f"/v2/Services/{service}/Verifications", {"To": f"+1555000001{i}", "Channel": "sms"})
        for i in range(3)
    ]
    assert [r.status_code for r in plain] == [201] * 3


def test_deleting_the_bucket_lifts_the_limit(api: Api, service: str) -> None:
    rate_limit = _rate_limit(api, service, "ip", (1, 600))
    assert _send(api, service, "+15550000001", ip=IP).status_code == 201
    assert _send(api, service, "+15550000002", ip=IP).status_code == 429
    base = f"/v2/Services/{service}/RateLimits/{rate_limit}/Buckets"
    [bucket] = api.get(base).json()["buckets"]

    assert api.delete(f"{base}/{bucket['sid']}").status_code == 204

    assert _send(api, service, "+15550000002", ip=IP).status_code == 201


def test_rate_limits_are_per_service(api: Api, service: str) -> None:
    other = str(api.service("Other")["sid"])
    _rate_limit(api, service, "ip", (1, 600))
    _rate_limit(api, other, "ip", (1, 600))

    assert _send(api, service, "+15550000001", ip=IP).status_code == 201
    assert _send(api, other, "+15550000001", ip=IP).status_code == 201
    assert _send(api, service, "+15550000002", ip=IP).status_code == 429


NOT_SCALAR = "Invalid parameter: RateLimits (the value of 'ip' must be a string or a number)"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"unknown": "x"}, "Invalid parameter: RateLimits (no rate limit named 'unknown' in this service)"),
        ({"ip": {"nested": 1}}, NOT_SCALAR),
        ({"ip": None}, NOT_SCALAR),
    ],
)
def test_bad_rate_limit_keys_are_refused(api: Api, service: str, keys: dict[str, Any], message: str) -> None:
    _rate_limit(api, service, "ip", (1, 600))
    data = {"To": PHONE, "Channel": "sms", "RateLimits": json.dumps(keys)}

    assert error_of(api.post(f"/v2/Services/{service}/Verifications", data)) == (400, 60200, message)


def test_numeric_key_values_share_the_window_of_their_text(api: Api, service: str) -> None:
    _rate_limit(api, service, "user", (1, 600))

    assert _send(api, service, "+15550000001", user=42).status_code == 201
    assert _send(api, service, "+15550000002", user="42").status_code == 429


def test_a_safe_listed_number_is_not_limited(api: Api, emulator: EmulatorServer, service: str) -> None:
    _rate_limit(api, service, "ip", (1, 600))
    safe = "+15550000099"
    api.create("/v2/SafeList/Numbers", {"PhoneNumber": safe})
    assert _send(api, service, "+15550000001", ip=IP).status_code == 201

    # Same key, already at its max: the safe-listed destination is not metered.
    sends = [_send(api, service, safe, ip=IP).status_code for _ in range(3)]
    assert sends == [201, 201, 201]
    assert len(emulator.messages(to=safe)) == 3
    assert _send(api, service, "+15550000002", ip=IP).status_code == 429

    # Off the list, it is limited like any other number.
    assert api.delete(f"/v2/SafeList/Numbers/{safe}").status_code == 204
    assert _send(api, service, safe, ip=IP).status_code == 429


def test_the_safe_list_does_not_lift_the_send_attempt_limit(api: Api, service: str) -> None:
    # Twilio documents 60203 as the verification lifecycle limit, lifted by no list
    # (twilio.com/blog/test-verify-no-rate-limits: "We don't lift the rate limit for testing").
    api.create("/v2/SafeList/Numbers", {"PhoneNumber": PHONE})
    for _ in range(5):
        assert _send(api, service, PHONE).status_code == 201

    assert error_of(_send(api, service, PHONE))[:2] == (429, 60203)


def test_safe_list_is_per_account() -> None:
    account_a = ("AC" + "1" * 32, "token-a")
    account_b = ("AC" + "2" * 32, "token-b")
    with EmulatorServer(accounts=[account_a, account_b]) as server:
        api_a, api_b = Api(server.base_url, account_a), Api(server.base_url, account_b)
        api_a.create("/v2/SafeList/Numbers", {"PhoneNumber": PHONE})
        service_b = str(api_b.service()["sid"])
        _rate_limit(api_b, service_b, "ip", (1, 600))

        assert api_b.get(f"/v2/SafeList/Numbers/{PHONE}").status_code == 404
        assert _send(api_b, service_b, PHONE, ip=IP).status_code == 201
        assert _send(api_b, service_b, "+15550000001", ip=IP).status_code == 429
        assert _send(api_b, service_b, PHONE, ip=IP).status_code == 429


def test_concurrent_sends_never_pass_a_bucket(api: Api, emulator: EmulatorServer, service: str) -> None:
    _rate_limit(api, service, "ip", (3, 600))
    statuses: list[int] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        status = _send(Api(emulator.base_url, emulator.accounts[0]), service, f"+155500001{i:02d}", ip=IP)
        with lock:
            statuses.append(status.status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] * 3 + [429] * 9


def test_counts_the_safe_list_and_attempts_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    with EmulatorServer(db_path=db) as first:
        api = Api(first.base_url, first.accounts[0])
        service = str(api.service()["sid"])
        _rate_limit(api, service, "ip", (1, 600))
        assert _send(api, service, "+15550000001", ip=IP).status_code == 201
        api.create("/v2/SafeList/Numbers", {"PhoneNumber": "+15550000099"})
        attempts = api.get("/v2/Attempts").json()["attempts"]

    with EmulatorServer(db_path=db) as second:
        api = Api(second.base_url, second.accounts[0])
        assert _send(api, service, "+15550000002", ip=IP).status_code == 429
        assert _send(api, service, "+15550000099", ip=IP).status_code == 201
        assert [a["sid"] for a in api.get("/v2/Attempts").json()["attempts"]][:1] == [attempts[0]["sid"]]
