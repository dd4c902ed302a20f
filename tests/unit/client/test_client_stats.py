"""The per-run request tally: counts by method, retries, body bytes and time, exact under threads."""

from __future__ import annotations

import threading
from typing import Any

import responses

from tests.unit.client.support import BASE
from verifyctl.client import RequestStats, VerifyClient


def test_summary_is_one_line_with_every_count() -> None:
    stats = RequestStats()
    stats.record("GET", started=10.0, ended=10.5, sent=0, received=1500)
    stats.record("get", started=10.2, ended=10.4, sent=0, received=500)
    stats.record("POST", started=11.0, ended=11.25, sent=120, received=2_500_000)
    stats.record_retry()
    assert stats.summary() == (
        "3 requests (GET 2, POST 1), 1 retry, 120 B sent, 2.5 MB received, "
        "0.95 s in requests over 1.25 s wall"
    )
    snap = stats.snapshot()
    assert (snap.requests, snap.by_method, snap.bytes_received) == (3, {"GET": 2, "POST": 1}, 2_502_000)


def test_an_empty_tally_reads_naturally() -> None:
    assert RequestStats().summary() == (
        "0 requests, 0 retries, 0 B sent, 0 B received, 0.00 s in requests over 0.00 s wall"
    )


def test_counts_are_exact_under_many_threads() -> None:
    stats = RequestStats()

    def work() -> None:
        for n in range(500):
            stats.record("GET" if n % 2 else "DELETE", started=1.0, ended=1.001, sent=3, received=7)
            stats.record_retry()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    snap = stats.snapshot()
    assert snap.requests == 4000
    assert snap.by_method == {"DELETE": 2000, "GET": 2000}
    assert snap.retries == 4000
    assert (snap.bytes_sent, snap.bytes_received) == (12_000, 28_000)


def test_the_client_tallies_every_attempt(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.get(f"{BASE}/v2/Services", json={"services": [], "meta": {"key": "services", "next_page_url": None}})
    mock.post(f"{BASE}/v2/Services", json={"code": 20429, "message": "slow", "status": 429}, status=429)
    mock.post(f"{BASE}/v2/Services", json={"sid": "VA1"}, status=201)
    mock.delete(f"{BASE}/v2/Services/VA1", status=204)
    client.list("/v2/Services", "services")
    client.create("/v2/Services", [("FriendlyName", "Acme Login")])
    client.delete("/v2/Services/VA1")
    snap = client.stats.snapshot()
    assert snap.by_method == {"DELETE": 1, "GET": 1, "POST": 2}
    assert snap.requests == 4
    assert snap.retries == 1
    assert snap.bytes_sent == 2 * len("FriendlyName=Acme+Login")
    answers: list[Any] = [call.response for call in mock.calls]
    assert snap.bytes_received == sum(len(answer.content) for answer in answers)
    assert snap.bytes_received > 0
    assert client.stats.summary().startswith("4 requests (DELETE 1, GET 1, POST 2), 1 retry, 46 B sent, ")
