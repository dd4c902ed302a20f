"""`max_concurrency`: beyond N requests in flight per account, 429 / 20429, as Twilio's concurrency limit."""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
import requests
from click.testing import CliRunner

from tests.integration.emulator.support import Api, error_of, wait_until
from verifyctl.cli import emulator_cmd
from verifyctl.emulator import EmulatorServer

ACME = ("AC" + "1" * 32, "acme-token")
GLOBEX = ("AC" + "2" * 32, "globex-token")
# Long enough that no request finishes on its own during a test: the test lowers it to release them.
HOLD_MS = 600_000


def _get(base_url: str, auth: tuple[str, str] | None) -> requests.Response:
    return requests.get(base_url + "/v2/Services", auth=auth, timeout=60)


def test_requests_beyond_the_cap_get_429_and_only_they() -> None:
    with (
        EmulatorServer(accounts=[ACME, GLOBEX], max_concurrency=3, latency_ms=HOLD_MS) as server,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        held = [pool.submit(_get, server.base_url, ACME) for _ in range(3)]
        wait_until(lambda: server.in_flight(ACME[0]) == 3)
        # At the cap: two more of the same account are refused; another account and an unauthenticated
        # caller are not counted against it.
        refused = [pool.submit(_get, server.base_url, ACME) for _ in range(2)]
        other: Future[requests.Response] = pool.submit(_get, server.base_url, GLOBEX)
        anonymous = pool.submit(_get, server.base_url, None)
        wait_until(lambda: server.concurrency_refusals(ACME[0]) == 2 and server.in_flight(GLOBEX[0]) == 1)

        server.set_faults(latency_ms=0)

        assert [f.result().status_code for f in held] == [200, 200, 200]
        for future in refused:
            response = future.result()
            assert error_of(response) == (429, 20429, "Too many concurrent requests")
            assert "Retry-After" not in response.headers
        assert other.result().status_code == 200
        assert anonymous.result().status_code == 401
        assert server.concurrency_refusals() == 2 and server.in_flight() == 0
        # The slots are free again.
        assert _get(server.base_url, ACME).status_code == 200
        assert sorted(r["status"] for r in server.requests() if r["account_sid"] == ACME[0]) == [
            *[200] * 4,
            429,
            429,
        ]


def test_a_refused_request_carries_the_configured_retry_after() -> None:
    with (
        EmulatorServer(
            accounts=[ACME], max_concurrency=1, concurrency_retry_after=2, latency_ms=HOLD_MS
        ) as server,
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        held = pool.submit(_get, server.base_url, ACME)
        wait_until(lambda: server.in_flight(ACME[0]) == 1)
        refused = pool.submit(_get, server.base_url, ACME)
        wait_until(lambda: server.concurrency_refusals(ACME[0]) == 1)

        server.set_faults(latency_ms=0)

        assert held.result().status_code == 200
        assert refused.result().headers["Retry-After"] == "2"
        assert error_of(refused.result())[:2] == (429, 20429)


def test_without_a_cap_nothing_is_refused(emulator: EmulatorServer) -> None:
    emulator.set_faults(latency_ms=HOLD_MS)
    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(_get, emulator.base_url, emulator.accounts[0]) for _ in range(20)]
        wait_until(lambda: emulator.in_flight() == 20)
        emulator.set_faults(latency_ms=0)
        assert {f.result().status_code for f in futures} == {200}
    assert emulator.concurrency_refusals() == 0


def test_stop_releases_requests_held_by_latency() -> None:
    server = EmulatorServer(accounts=[ACME], latency_ms=HOLD_MS).start()
    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(Api(server.base_url, ACME).get, "/v2/Services")
        wait_until(lambda: server.in_flight() == 1)
        server.stop()
        # Answered or cut off, but not left waiting for ten minutes.
        with contextlib.suppress(requests.ConnectionError):
            held.result()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"max_concurrency": 2, "concurrency_retry_after": -1}, "Retry-After"),
    ],
)
def test_bad_limits_are_refused(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EmulatorServer(**kwargs)  # type: ignore[arg-type]


def test_serve_passes_the_limit_on_and_refuses_a_bad_one(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_server(**kwargs: object) -> None:
        seen.update(kwargs)
        raise OSError("stop here")

    monkeypatch.setattr(emulator_cmd, "EmulatorServer", fake_server)
    args = ["serve", "--max-concurrency", "8", "--concurrency-retry-after", "3"]
    CliRunner().invoke(emulator_cmd.emulator_group, args)
    zero = CliRunner().invoke(emulator_cmd.emulator_group, ["serve", "--max-concurrency", "0"])

    assert (seen["max_concurrency"], seen["concurrency_retry_after"]) == (8, 3)
    assert zero.exit_code == 2 and "--max-concurrency" in zero.output
