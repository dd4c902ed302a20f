"""Confirming creates against another writer: the rule's survivor is kept and this run's copy gives way."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.unit.apply.test_executor import FakeClient, create, run
from tests.unit.client.support import FakeTime
from verifyctl.apply.confirm import TIE_WINDOW_SECONDS
from verifyctl.apply.executor import Executor
from verifyctl.client.retry import RetryPolicy
from verifyctl.errors import ApiError
from verifyctl.plan.model import Plan
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import Kind

OLDER = "VA" + "0" * 32
SERVICES = "/v2/Services"
SERVICE_A = Address.parse("service[A]")


class RacedClient(FakeClient):
    """A fake account where another writer's copies already exist; deletes remove objects."""

    def delete(self, path: str) -> None:
        super().delete(path)
        collection, _, sid = path.rpartition("/")
        self.objects[collection] = [o for o in self.objects.get(collection, []) if o.get("sid") != sid]


def test_a_created_service_gives_way_to_an_older_namesake_and_children_go_under_it() -> None:
    client = RacedClient()
    client.objects[SERVICES] = [{"sid": OLDER, "friendly_name": "A", "date_created": "2020-01-01T00:00:00Z"}]
    plan = Plan(
        changes=(
            create("service[A]", {"friendly_name": "A"}),
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
        )
    )
    outcome = run(client, plan)
    assert outcome.ok
    ours = next(path for method, path in client.calls if method == "DELETE")
    assert ours.startswith(f"{SERVICES}/XX")  # this run's copy, never the other writer's
    assert ("POST", f"{SERVICES}/{OLDER}/Webhooks") in client.calls
    assert [o["sid"] for o in client.objects[SERVICES]] == [OLDER]
    assert any("kept " + OLDER in warning for warning in outcome.warnings)
    # One list of services after the wave (the service lost: nothing of it is left to check again), and
    # one last check of the webhooks created under the survivor.
    assert client.calls.count(("GET", SERVICES)) == 1
    assert client.calls.count(("GET", f"{SERVICES}/{OLDER}/Webhooks")) == 1


def test_a_created_service_that_the_rule_keeps_stays() -> None:
    client = RacedClient()
    # Another writer's copy with no date (unknown age) ranks last: ours, dated by the API, is kept.
    client.objects[SERVICES] = [{"sid": OLDER, "friendly_name": "A"}]
    original = client.create

    def dated(path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        item = original(path, form)
        item["date_created"] = "2020-01-01T00:00:00Z"
        return item

    client.create = dated  # type: ignore[method-assign]
    # The other writer never deletes its copy here, so the last check ends by naming it.
    outcome = run(client, Plan(changes=(create("service[A]", {"friendly_name": "A"}),)))
    assert not any(method == "DELETE" for method, _ in client.calls)
    assert [o.detail for o in outcome.failed] and "run plan to resolve it" in outcome.failed[0].detail


def test_a_child_the_api_keeps_unique_is_taken_over_when_another_writer_made_it() -> None:
    client = RacedClient()
    path = f"{SERVICES}/{OLDER}/RateLimits"
    client.objects[path] = [{"sid": "RK1", "unique_name": "ip", "description": None}]
    original = client.create

    def refuse(create_path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        if create_path == path:
            raise ApiError(
                status=400, code=60208, message="exists", more_info=None, method="POST", path=create_path
            )
        return original(create_path, form)

    client.create = refuse  # type: ignore[method-assign]
    plan = Plan(
        changes=(create("service[A]/rate_limit[ip]", {"unique_name": "ip"}),),
        ids={Address.parse("service[A]"): OLDER},
    )
    outcome = run(client, plan)
    assert outcome.ok and outcome.applied[0].detail == "created RK1"


def test_children_of_a_parent_deleted_as_a_duplicate_go_under_the_survivor() -> None:
    gone = "VA" + "f" * 32
    client = RacedClient()
    client.objects[SERVICES] = [{"sid": OLDER, "friendly_name": "A", "date_created": "2020-01-01T00:00:00Z"}]
    original = client.create

    def vanished(path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        if path.startswith(f"{SERVICES}/{gone}/"):
            raise ApiError(
                status=404, code=20404, message="not found", more_info=None, method="POST", path=path
            )
        return original(path, form)

    client.create = vanished  # type: ignore[method-assign]
    plan = Plan(
        changes=(
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
            create("service[A]/rate_limit[ip]", {"unique_name": "ip"}),
        ),
        ids={Address.parse("service[A]"): gone},
    )
    outcome = run(client, plan)
    assert outcome.ok, [o.detail for o in outcome.failed]
    assert ("POST", f"{SERVICES}/{OLDER}/Webhooks") in client.calls
    assert ("POST", f"{SERVICES}/{OLDER}/RateLimits") in client.calls


def test_confirming_compares_each_listed_and_each_created_object_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Linear time: one identity per listed item and per created one, never one per pair of them."""
    listed, created = 300, 200
    client = RacedClient()
    client.objects[SERVICES] = [
        {"sid": f"VA{n:032x}", "friendly_name": f"live {n}", "date_created": "2020-01-01T00:00:00Z"}
        for n in range(listed)
    ]
    plan = Plan(
        changes=tuple(create(f"service[new {n}]", {"friendly_name": f"new {n}"}) for n in range(created))
    )
    calls = []
    original = Kind.identity_of

    def counted(kind: Kind, value: object) -> str:
        calls.append(kind.name)
        return original(kind, value)

    monkeypatch.setattr(Kind, "identity_of", counted)
    outcome = run(client, plan)
    assert outcome.ok
    # Two lists of services (after the wave, and the last check), each of the listed and created services:
    # the quadratic scan made 2 x 200 x 500 = 200,000.
    assert len(calls) <= 2 * ((listed + created) + created) + created


def test_the_last_check_reads_once_the_second_of_the_last_create_is_over() -> None:
    client = RacedClient()
    fake_time = FakeTime()
    original = client.create

    def slow(path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        fake_time.now += 0.3  # the create takes 0.3 s
        return original(path, form)

    client.create = slow  # type: ignore[method-assign]
    timing = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = Executor(client, pool, timing=timing).run(
            Plan(changes=(create("service[A]/webhook[w]", {"friendly_name": "w"}),), ids={SERVICE_A: OLDER})
        )
    assert outcome.ok
    # Created at 0.3 s (the create's answer), read after a pause that ends TIE_WINDOW_SECONDS later.
    assert fake_time.sleeps == [pytest.approx(TIE_WINDOW_SECONDS)]
    assert client.calls[-1] == ("GET", f"{SERVICES}/{OLDER}/Webhooks")


def test_children_under_a_parent_another_writer_deleted_are_created_again_under_the_survivor() -> None:
    """The last check finds our webhook's collection gone (404): its service was another writer's losing
    copy, deleted by that writer with what it held. Ours goes under the survivor; nothing fails."""
    losing = "VA" + "f" * 32
    client = RacedClient()
    client.objects[SERVICES] = [
        {"sid": OLDER, "friendly_name": "A", "date_created": "2020-01-01T00:00:00Z"},
        {"sid": losing, "friendly_name": "A", "date_created": "2020-01-01T00:00:01Z"},
    ]
    original_create = client.create

    def create_then_lose_the_parent(path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        item = original_create(path, form)
        if path.startswith(f"{SERVICES}/{losing}/"):
            # The other writer's last check: it deletes its losing copy, and our webhook with it.
            client.objects[SERVICES] = [o for o in client.objects[SERVICES] if o["sid"] != losing]
            del client.objects[path]
        return item

    original_list = client.list

    def list_or_404(path: str, list_key: str, params: Any = None) -> list[dict[str, Any]]:
        if path.startswith(f"{SERVICES}/{losing}/"):
            client.calls.append(("GET", path))
            raise ApiError(
                status=404, code=20404, message="not found", more_info=None, method="GET", path=path
            )
        return original_list(path, list_key, params)

    client.create = create_then_lose_the_parent  # type: ignore[method-assign]
    client.list = list_or_404  # type: ignore[method-assign]
    plan = Plan(
        changes=(
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
            create("service[A]/rate_limit[ip]", {"unique_name": "ip"}),
        ),
        ids={SERVICE_A: losing},
    )
    outcome = run(client, plan)
    assert outcome.ok, [o.detail for o in outcome.failed]
    assert ("POST", f"{SERVICES}/{OLDER}/Webhooks") in client.calls
    assert ("POST", f"{SERVICES}/{OLDER}/RateLimits") in client.calls
    assert [o["friendly_name"] for o in client.objects[f"{SERVICES}/{OLDER}/Webhooks"]] == ["w"]
    assert any("carried on with " + OLDER in warning for warning in outcome.warnings)


def test_children_under_a_parent_deleted_with_no_copy_left_fail_naming_it() -> None:
    gone = "VA" + "f" * 32
    client = RacedClient()
    original_list = client.list

    def list_or_404(path: str, list_key: str, params: Any = None) -> list[dict[str, Any]]:
        if path.startswith(f"{SERVICES}/{gone}/"):
            raise ApiError(
                status=404, code=20404, message="not found", more_info=None, method="GET", path=path
            )
        return original_list(path, list_key, params)

    client.list = list_or_404  # type: ignore[method-assign]
    plan = Plan(changes=(create("service[A]/webhook[w]", {"friendly_name": "w"}),), ids={SERVICE_A: gone})
    outcome = run(client, plan)
    assert [o.detail for o in outcome.failed] == [
        f"service[A] {gone} was deleted by another writer, and no copy is left"
    ]
