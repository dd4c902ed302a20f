"""Injected faults: 500s, 429 with Retry-After, dropped writes, latency, seeded reproducibility."""

from __future__ import annotations

import time

import pytest
import requests

from tests.integration.emulator.support import Api, admin, error_of
from verifyctl.emulator import EmulatorServer


def test_error_rate_answers_500_before_doing_anything() -> None:
    with EmulatorServer(error_rate=1.0) as server:
        api = Api(server.base_url, server.accounts[0])

        response = api.post("/v2/Services", {"FriendlyName": "Never Made"})

        assert error_of(response)[:2] == (500, 20500)
        server.set_faults(error_rate=0.0)
        assert api.get("/v2/Services").json()["services"] == []


def test_throttle_rate_answers_429_with_retry_after_before_doing_anything() -> None:
    with EmulatorServer(throttle_rate=1.0, retry_after_seconds=7) as server:
        api = Api(server.base_url, server.accounts[0])

        response = api.post("/v2/Services", {"FriendlyName": "Never Made"})

        assert error_of(response) == (429, 20429, "Too many requests")
        assert response.headers["Retry-After"] == "7"
        server.set_faults(throttle_rate=0.0)
        assert api.get("/v2/Services").json()["services"] == []


def test_faults_come_before_authentication() -> None:
    with EmulatorServer(error_rate=1.0) as server:
        assert requests.get(server.base_url + "/v2/Services", timeout=10).status_code == 500


def test_drop_rate_does_the_write_but_never_answers() -> None:
    with EmulatorServer(drop_rate=1.0) as server:
        api = Api(server.base_url, server.accounts[0])

        with pytest.raises(requests.ConnectionError):
            api.post("/v2/Services", {"FriendlyName": "Made In Silence"})

        # Reads are never dropped, so the client can look the object up.
        [service] = api.get("/v2/Services").json()["services"]
        assert service["friendly_name"] == "Made In Silence"
        with pytest.raises(requests.ConnectionError):
            api.delete(f"/v2/Services/{service['sid']}")
        assert api.get("/v2/Services").json()["services"] == []
        assert [(r["method"], r["status"], r["dropped"]) for r in server.requests()] == [
            ("POST", 201, True),
            ("GET", 200, False),
            ("DELETE", 204, True),
            ("GET", 200, False),
        ]


def test_faults_never_touch_the_control_paths() -> None:
    # Ten minutes of latency: a control request that got it would time out.
    with EmulatorServer(error_rate=1.0, throttle_rate=1.0, drop_rate=1.0, latency_ms=600_000) as server:
        for method, path in (("GET", "messages"), ("GET", "requests"), ("DELETE", "requests")):
            response = requests.request(
                method, f"{server.base_url}/__emulator__/{path}", headers=admin(server), timeout=10
            )
            assert response.status_code in (200, 204)


def test_latency_delays_every_answer() -> None:
    with EmulatorServer(latency_ms=150) as server:
        api = Api(server.base_url, server.accounts[0])
        started = time.monotonic()
        api.get("/v2/Services")
        assert time.monotonic() - started >= 0.15


def _fault_sequence(seed: int) -> list[int]:
    with EmulatorServer(error_rate=0.3, throttle_rate=0.3, seed=seed) as server:
        api = Api(server.base_url, server.accounts[0])
        return [api.get("/v2/Services").status_code for _ in range(40)]


def test_a_seed_reproduces_the_same_faults() -> None:
    first, again, other = _fault_sequence(7), _fault_sequence(7), _fault_sequence(8)

    assert first == again
    assert first != other
    assert {500, 429, 200} <= set(first)


def test_set_faults_changes_them_at_run_time(emulator: EmulatorServer) -> None:
    api = Api(emulator.base_url, emulator.accounts[0])
    assert api.get("/v2/Services").status_code == 200

    emulator.set_faults(throttle_rate=1.0)
    assert api.get("/v2/Services").status_code == 429
    emulator.set_faults(throttle_rate=0.0, error_rate=1.0)
    assert api.get("/v2/Services").status_code == 500


@pytest.mark.parametrize(
    "settings",
    [{"error_rate": 1.5}, {"throttle_rate": -0.1}, {"drop_rate": 2.0}, {"latency_ms": -1}],
)
def test_bad_fault_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        EmulatorServer(**settings)
