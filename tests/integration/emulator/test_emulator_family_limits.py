"""Limits with subaccounts: the concurrency cap per account, the service cap across a family."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.integration.emulator.support import Api, error_of, wait_until
from verifyctl.emulator import EmulatorServer

ACME = ("AC" + "1" * 32, "acme-token")
GLOBEX = ("AC" + "2" * 32, "globex-token")
# Long enough that no request finishes on its own during a test: the test lowers it to release them.
HOLD_MS = 600_000


def _get(base_url: str, auth: tuple[str, str]) -> requests.Response:
    return requests.get(base_url + "/v2/Services", auth=auth, timeout=60)


def test_each_subaccount_has_its_own_concurrency_cap() -> None:
    with (
        EmulatorServer(
            accounts=[ACME], subaccounts={ACME[0]: ["a", "b"]}, max_concurrency=2, latency_ms=HOLD_MS
        ) as server,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        (a_sid, a_token, _), (b_sid, b_token, _) = server.subaccounts()
        # The parent and subaccount A at their cap; one more of A is refused, B and the parent's are not
        # counted against A (nor A's against the parent).
        tenant_a = (a_sid, a_token)
        held = [pool.submit(_get, server.base_url, auth) for auth in (ACME, ACME, tenant_a, tenant_a)]
        wait_until(lambda: server.in_flight(ACME[0]) == 2 and server.in_flight(a_sid) == 2)
        refused = pool.submit(_get, server.base_url, tenant_a)
        wait_until(lambda: server.concurrency_refusals(a_sid) == 1)
        other = pool.submit(_get, server.base_url, (b_sid, b_token))
        wait_until(lambda: server.in_flight(b_sid) == 1)

        server.set_faults(latency_ms=0)

        assert [f.result().status_code for f in held] == [200] * 4
        assert error_of(refused.result()) == (429, 20429, "Too many concurrent requests")
        assert other.result().status_code == 200
        assert server.concurrency_refusals() == 1


def test_the_service_cap_counts_the_main_account_and_all_its_subaccounts() -> None:
    with EmulatorServer(
        accounts=[ACME, GLOBEX], subaccounts={ACME[0]: ["a", "b"]}, max_family_services=3
    ) as server:
        acme = Api(server.base_url, ACME)
        tenant_a, tenant_b = (Api(server.base_url, (sid, token)) for sid, token, _ in server.subaccounts())
        acme.service("Parent")
        tenant_a.service("A 1")
        kept = tenant_b.service("B 1")

        # A fourth service anywhere in the family is refused, and not made.
        for api in (acme, tenant_a, tenant_b):
            assert error_of(api.post("/v2/Services", {"FriendlyName": "One more"})) == (
                400,
                21102,
                "Reached maximum number of Services (3 across the main account and its subaccounts)",
            )
        assert [s["friendly_name"] for s in tenant_a.get("/v2/Services").json()["services"]] == ["A 1"]
        # Another family is not counted; a deleted service frees its place.
        assert Api(server.base_url, GLOBEX).service("Globex").get("sid")
        assert tenant_b.delete(f"/v2/Services/{kept['sid']}").status_code == 204
        assert tenant_a.service("A 2")["friendly_name"] == "A 2"
        assert server.max_family_services == 3


def test_a_closed_subaccounts_services_still_count() -> None:
    with EmulatorServer(accounts=[ACME], subaccounts={ACME[0]: ["a"]}, max_family_services=1) as server:
        (sid, token, _) = server.subaccounts()[0]
        Api(server.base_url, (sid, token)).service("A")
        acme = Api(server.base_url, ACME)
        acme.post(f"/2010-04-01/Accounts/{sid}.json", {"Status": "closed"})

        assert error_of(acme.post("/v2/Services", {"FriendlyName": "Parent"}))[:2] == (400, 21102)


def test_without_a_cap_services_are_not_counted() -> None:
    with EmulatorServer(accounts=[ACME]) as server:
        acme = Api(server.base_url, ACME)
        for n in range(3):
            acme.service(f"S {n}")
        assert server.max_family_services is None
        assert len(acme.get("/v2/Services").json()["services"]) == 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_family_services": -1}, "max_family_services must not be negative"),
        ({"max_subaccounts": -1}, "max_subaccounts must not be negative"),
    ],
    ids=["services", "subaccounts"],
)
def test_negative_caps_are_refused(options: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EmulatorServer(accounts=[ACME], **options)
