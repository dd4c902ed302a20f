"""Persistence across restarts and consistency under concurrent requests."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.integration.emulator.support import PHONE, Api, make_read_only_database
from verifyctl.emulator import EmulatorServer


def test_restart_with_the_same_database_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "state" / "emulator.sqlite3"
    with EmulatorServer(db_path=db) as first:
        account = first.accounts
        api = Api(first.base_url, first.accounts[0])
        service = api.service("Persisted", CodeLength="7")
        rate_limit = api.create(f"/v2/Services/{service['sid']}/RateLimits", {"UniqueName": "ip"})
        verification = api.create(
            f"/v2/Services/{service['sid']}/Verifications", {"To": PHONE, "Channel": "sms"}
        )
        messages = first.messages()

    with EmulatorServer(db_path=db) as second:
        api = Api(second.base_url, second.accounts[0])
        assert second.accounts == account
        fetched = api.get(f"/v2/Services/{service['sid']}").json()
        assert {k: v for k, v in fetched.items() if k not in ("url", "links")} == {
            k: v for k, v in service.items() if k not in ("url", "links")
        }
        assert (
            api.get(f"/v2/Services/{service['sid']}/RateLimits").json()["rate_limits"][0]["sid"]
            == rate_limit["sid"]
        )
        assert second.messages() == messages
        code = messages[-1]["body"].rsplit(" ", 1)[1]
        checked = api.post(f"/v2/Services/{service['sid']}/VerificationCheck", {"To": PHONE, "Code": code})
        assert (checked.json()["status"], checked.json()["sid"]) == ("approved", verification["sid"])


def test_without_a_database_nothing_survives(tmp_path: Path) -> None:
    with EmulatorServer() as first:
        Api(first.base_url, first.accounts[0]).service()
    with EmulatorServer() as second:
        assert Api(second.base_url, second.accounts[0]).get("/v2/Services").json()["services"] == []
        assert second.accounts != first.accounts


def test_given_accounts_replace_the_development_account(tmp_path: Path) -> None:
    account = ("AC" + "5" * 32, "token")
    with EmulatorServer(db_path=tmp_path / "db.sqlite3", accounts=[account]) as server:
        assert server.accounts == [account]


def test_concurrent_creates_and_lists_lose_and_duplicate_nothing(emulator: EmulatorServer) -> None:
    threads, per_thread = 10, 15
    created: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    service = Api(emulator.base_url, emulator.accounts[0]).service("Shared")["sid"]

    def worker(index: int) -> None:
        api = Api(emulator.base_url, emulator.accounts[0])
        for n in range(per_thread):
            response = api.post(f"/v2/Services/{service}/RateLimits", {"UniqueName": f"t{index}-{n}"})
            listed = api.get(f"/v2/Services/{service}/RateLimits", {"PageSize": "1000"})
            if response.status_code != 201 or listed.status_code != 200:
                errors.append(f"{response.status_code} {listed.status_code}")
                continue
            with lock:
                created.append(response.json()["sid"])

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert errors == []
    listed = Api(emulator.base_url, emulator.accounts[0]).get(
        f"/v2/Services/{service}/RateLimits", {"PageSize": "1000"}
    )
    sids = [item["sid"] for item in listed.json()["rate_limits"]]
    assert len(sids) == len(set(sids)) == threads * per_thread
    assert sorted(sids) == sorted(created)


def test_concurrent_duplicate_names_create_exactly_one(emulator: EmulatorServer) -> None:
    service = Api(emulator.base_url, emulator.accounts[0]).service("Race")["sid"]
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        api = Api(emulator.base_url, emulator.accounts[0])
        barrier.wait()
        statuses.append(api.post(f"/v2/Services/{service}/RateLimits", {"UniqueName": "same"}).status_code)

    workers = [threading.Thread(target=worker) for _ in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert sorted(statuses) == [201] + [400] * 7


def test_a_read_only_database_is_refused_before_serving_rather_than_answered_500(tmp_path: Path) -> None:
    db = tmp_path / "ro.sqlite3"
    make_read_only_database(db)

    with pytest.raises(PermissionError, match=r"^it is read-only \(the emulator keeps its state there\)$"):
        EmulatorServer(db_path=db)
