"""Confirming creates against another writer: the rule's survivor is kept and this run's copy gives way."""

from __future__ import annotations

from typing import Any

from tests.unit.apply.test_executor import FakeClient, create, run
from verifyctl.errors import ApiError
from verifyctl.plan.model import Plan
from verifyctl.resources.addresses import Address

OLDER = "VA" + "0" * 32
SERVICES = "/v2/Services"


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
