"""The HTTP client against the emulator over real HTTP: paging across many pages from many threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from verifyctl.client import Credentials, VerifyClient
from verifyctl.emulator import EmulatorServer


def test_concurrent_paged_reads_see_every_object_once(emulator: EmulatorServer) -> None:
    sid, token = emulator.accounts[0]
    with VerifyClient(emulator.base_url, Credentials(sid, token, sid), parallelism=6) as client:
        created = {
            client.create("/v2/Services", [("FriendlyName", f"Paged {i:02d}")])["sid"] for i in range(30)
        }
        emulator.clear_requests()
        with ThreadPoolExecutor(max_workers=6) as pool:
            listings = list(
                pool.map(lambda _: client.list("/v2/Services", "services", {"PageSize": "4"}), range(6))
            )
        assert client.stats.total >= 30 + 6 * 8
    for listing in listings:
        sids = [service["sid"] for service in listing]
        assert len(sids) == len(set(sids)) == 30
        assert set(sids) == created
    pages = [r for r in emulator.requests() if r["method"] == "GET"]
    assert len(pages) == 6 * 8  # 30 objects in pages of 4, read by 6 threads
    assert {r["status"] for r in pages} == {200}


def test_many_threads_against_a_concurrency_cap_all_succeed() -> None:
    # The emulator holds each request 20 ms and refuses (429 / 20429) a fifth in flight at once.
    with EmulatorServer(
        host="127.0.0.1", port=0, retry_after_seconds=0, max_concurrency=4, latency_ms=20
    ) as capped:
        sid, token = capped.accounts[0]
        with VerifyClient(capped.base_url, Credentials(sid, token, sid), parallelism=32) as client:
            service = client.create("/v2/Services", [("FriendlyName", "Capped")])["sid"]
            with ThreadPoolExecutor(max_workers=32) as pool:
                reads = list(pool.map(lambda _: client.get(f"/v2/Services/{service}")["sid"], range(160)))
            path = client.concurrency
        assert reads == [service] * 160
        assert path.throttled == capped.concurrency_refusals(sid)
        assert path.final <= path.peak <= 32
