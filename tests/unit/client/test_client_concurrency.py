"""The client's adaptive limit at work: a capped server, waits that free their slot, and cancel."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import responses

from tests.unit.client.support import BASE, FakeTime, make_policy
from verifyctl.client import Credentials, RetryPolicy, VerifyClient
from verifyctl.client.limiter import CancelledError

SERVICE = f"{BASE}/v2/Services/VA1"
OTHER = f"{BASE}/v2/Services/VA2"
THROTTLED = {"code": 20429, "message": "Too many requests", "status": 429}
CAP = 4


class CappedHandler(BaseHTTPRequestHandler):
    """Twilio's per-account concurrency limit in small: 429 / 20429 beyond CAP requests in flight."""

    protocol_version = "HTTP/1.1"
    server: CappedServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        server = self.server
        with server.lock:
            server.in_flight += 1
            over = server.in_flight > CAP
            server.throttled += over
            server.peak_served = max(server.peak_served, server.in_flight) if not over else server.peak_served
        try:
            if over:
                status, body = 429, THROTTLED
            else:
                time.sleep(0.005)  # hold the request so that requests overlap, as real ones do
                status, body = 200, {"sid": self.path.rsplit("/", 1)[-1]}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            with server.lock:
                server.in_flight -= 1


class CappedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), CappedHandler)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.throttled = 0
        self.peak_served = 0


@pytest.fixture
def capped() -> Iterator[CappedServer]:
    server = CappedServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_many_workers_against_a_capped_server_all_succeed(
    capped: CappedServer, credentials: Credentials
) -> None:
    quick = RetryPolicy(max_attempts=10, base_delay=0.001, max_delay=0.01)
    sids = [f"VA{n:03d}" for n in range(200)]
    url = f"http://127.0.0.1:{capped.server_port}"
    with (
        VerifyClient(url, credentials, parallelism=16, retry=quick) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        got = list(pool.map(lambda sid: client.get(f"/v2/Services/{sid}")["sid"], sids))
        path = client.concurrency
        summary = client.stats.summary()
    assert got == sids
    assert path.throttled == capped.throttled  # every 429 the server sent was absorbed
    assert path.start == 16
    assert path.ceiling == 16
    assert capped.peak_served <= CAP
    assert f"{path.throttled} concurrency 429" in summary


def test_a_retry_after_wait_frees_the_slot_for_other_requests(
    credentials: Credentials, mock: responses.RequestsMock
) -> None:
    other_done = threading.Event()

    def wait_until_the_other_request_is_done(seconds: float) -> None:
        # With a single slot, the other request can only finish if this wait does not hold the slot.
        assert other_done.wait(timeout=10)

    policy = RetryPolicy(sleep=wait_until_the_other_request_is_done, random=lambda: 0.5)
    calls = {"VA1": 0}

    def first(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        calls["VA1"] += 1
        if calls["VA1"] == 1:
            return 429, {"Retry-After": "5"}, json.dumps(THROTTLED)
        return 200, {}, json.dumps({"sid": "VA1"})

    from responses.registries import FirstMatchRegistry

    mock._set_registry(FirstMatchRegistry)
    mock.add_callback("GET", SERVICE, callback=first)
    mock.add_callback("GET", OTHER, callback=lambda _: (200, {}, json.dumps({"sid": "VA2"})))
    with VerifyClient(BASE, credentials, parallelism=1, retry=policy) as client:
        result: list[Any] = []
        throttled = threading.Thread(target=lambda: result.append(client.get("/v2/Services/VA1")))
        throttled.start()
        while calls["VA1"] == 0:
            time.sleep(0.001)
        assert client.get("/v2/Services/VA2") == {"sid": "VA2"}
        other_done.set()
        throttled.join(timeout=10)
    assert result == [{"sid": "VA1"}]


def test_cancel_makes_queued_and_new_requests_fail_fast_without_sending(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    client.cancel()
    assert client.cancelled
    with pytest.raises(CancelledError, match="not sent: the run was cancelled"):
        client.get("/v2/Services/VA1")
    assert len(mock.calls) == 0


def test_cancel_interrupts_a_retry_wait(credentials: Credentials, mock: responses.RequestsMock) -> None:
    mock.get(SERVICE, json=THROTTLED, status=429, headers={"Retry-After": "30"})
    policy = RetryPolicy(max_delay=60.0)  # no sleep given: the client waits on its cancel switch
    outcome: list[BaseException] = []
    with VerifyClient(BASE, credentials, retry=policy) as client:

        def get() -> None:
            try:
                client.get("/v2/Services/VA1")
            except CancelledError as exc:
                outcome.append(exc)

        worker = threading.Thread(target=get)
        worker.start()
        while not mock.calls:
            time.sleep(0.001)
        client.cancel()
        worker.join(timeout=10)
        assert not worker.is_alive()
    assert len(outcome) == 1
    assert "not retried: the run was cancelled" in str(outcome[0])


def test_stats_name_the_adaptive_path(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.get(SERVICE, json={"sid": "VA1"})
    client.get("/v2/Services/VA1")
    assert client.stats.summary().endswith(
        "; concurrency start 4, peak 4, low 4, final 4 (ceiling 4), 0 concurrency 429s absorbed"
    )


@pytest.mark.parametrize(
    ("limits", "ending"),
    [
        ({"parallelism": 10, "adaptive": False}, "; concurrency fixed at 10, 1 concurrency 429 absorbed"),
        # One cheap refusal (no Retry-After) at a level then served: random, the limit stays at 4.
        (
            {"parallelism": 4, "start_concurrency": 4},
            "; concurrency start 4, peak 4, low 4, final 4 (ceiling 4), "
            "1 concurrency 429 absorbed (1 of them random: limit kept)",
        ),
    ],
    ids=["fixed", "adaptive-random"],
)
def test_stats_name_the_limit_and_the_429s_it_absorbed(
    credentials: Credentials,
    fake_time: FakeTime,
    mock: responses.RequestsMock,
    limits: dict[str, Any],
    ending: str,
) -> None:
    mock.get(SERVICE, json=THROTTLED, status=429)
    mock.get(SERVICE, json={"sid": "VA1"})
    with VerifyClient(BASE, credentials, retry=make_policy(fake_time), **limits) as client:
        client.get("/v2/Services/VA1")
        assert client.stats.summary().endswith(ending)
