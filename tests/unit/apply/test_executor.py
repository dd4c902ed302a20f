"""Unit tests for the executor: waves, skipped dependents, and creates that never duplicate."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.unit.client.support import FakeTime
from verifyctl.apply.executor import ApplyResult, Executor, waves
from verifyctl.client.retry import RetryPolicy
from verifyctl.errors import ApiError, OutcomeUnknownError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.resources.addresses import Address

SVC = "VA" + "1" * 32


def create(address: str, after: dict[str, Any]) -> Change:
    return Change(Address.parse(address), Action.CREATE, None, after, tuple(after))


def run(client: FakeClient, plan: Plan, **options: Any) -> ApplyResult:
    """Apply on fake time: the waits for racing writers pass at once."""
    fake_time = FakeTime()
    timing = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    with ThreadPoolExecutor(max_workers=4) as pool:
        return Executor(client, pool, timing=timing, **options).run(plan)


class FakeClient:
    """Records writes; can fail a path, or drop the answer to a create after doing it."""

    def __init__(self, fail: set[str] | None = None, drop_first_create: bool = False) -> None:
        self.objects: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[tuple[str, str]] = []
        self.fail = fail or set()
        self.drop_first_create = drop_first_create
        self._lock = threading.Lock()
        self._counter = 0

    def list(self, path: str, list_key: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        self.calls.append(("GET", path))
        return list(self.objects.get(path, []))

    def create(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        with self._lock:
            self.calls.append(("POST", path))
            if path in self.fail:
                raise ApiError(
                    status=400,
                    code=60200,
                    message="Invalid parameter",
                    more_info=None,
                    method="POST",
                    path=path,
                )
            self._counter += 1
            item = {"sid": f"XX{self._counter:032x}", **{k.lower(): v for k, v in form}}
            if "friendlyname" in item:
                item["friendly_name"] = item["friendlyname"]
            self.objects.setdefault(path, []).append(item)
            if self.drop_first_create:
                self.drop_first_create = False
                raise OutcomeUnknownError("connection dropped after the request was sent")
            return item

    def update(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        self.calls.append(("POST", path))
        return {}

    def delete(self, path: str) -> None:
        self.calls.append(("DELETE", path))


def test_waves_put_children_after_created_parents_only() -> None:
    plan = Plan(
        changes=(
            create("service[A]", {"friendly_name": "A"}),
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
            create("service[B]/webhook[w]", {"friendly_name": "w"}),
        )
    )
    assert [[str(c.address) for c in wave] for wave in waves(plan)] == [
        ["service[A]", "service[B]/webhook[w]"],
        ["service[A]/webhook[w]"],
    ]


def test_failed_parent_skips_dependents_and_independent_changes_run() -> None:
    client = FakeClient(fail={"/v2/Services"})
    plan = Plan(
        changes=(
            create("service[A]", {"friendly_name": "A"}),
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
            create("service[B]/webhook[w]", {"friendly_name": "w"}),
        ),
        ids={Address.parse("service[B]"): SVC},
    )
    seen: list[str] = []
    outcome = run(client, plan, progress=lambda o: seen.append(o.status))
    assert [str(o.change.address) for o in outcome.failed] == ["service[A]"]
    assert [str(o.change.address) for o in outcome.skipped] == ["service[A]/webhook[w]"]
    assert [str(o.change.address) for o in outcome.applied] == ["service[B]/webhook[w]"]
    assert sorted(seen) == ["applied", "failed", "skipped"]
    assert ("POST", f"/v2/Services/{SVC}/Webhooks") in client.calls


def test_unknown_create_outcome_is_looked_up_not_resent() -> None:
    client = FakeClient(drop_first_create=True)
    plan = Plan(changes=(create("service[A]", {"friendly_name": "A"}),))
    outcome = run(client, plan)
    assert outcome.ok
    assert client.calls.count(("POST", "/v2/Services")) == 1
    assert ("GET", "/v2/Services") in client.calls
    assert len(client.objects["/v2/Services"]) == 1


def test_children_of_created_parent_use_its_new_id() -> None:
    client = FakeClient()
    plan = Plan(
        changes=(
            create("service[A]", {"friendly_name": "A"}),
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
        )
    )
    assert run(client, plan).ok
    new_sid = client.objects["/v2/Services"][0]["sid"]
    assert ("POST", f"/v2/Services/{new_sid}/Webhooks") in client.calls


def test_a_stop_sends_nothing_more_and_reports_every_change_not_started() -> None:
    stop = threading.Event()

    class InterruptedClient(FakeClient):
        def create(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
            stop.set()  # the interrupt comes while the first change is on the wire
            return super().create(path, form)

    client = InterruptedClient()
    plan = Plan(
        changes=(
            create("service[A]", {"friendly_name": "A"}),
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
            create("service[B]", {"friendly_name": "B"}),
        ),
    )
    seen: list[str] = []
    with ThreadPoolExecutor(max_workers=1) as pool:  # one at a time: A is sent, B starts after the stop
        outcome = Executor(client, pool, progress=lambda o: seen.append(o.status), stop=stop).run(plan)
    assert [str(o.change.address) for o in outcome.applied] == ["service[A]"]
    not_started = sorted(str(o.change.address) for o in outcome.not_started)
    assert not_started == ["service[A]/webhook[w]", "service[B]"]
    assert client.calls == [("POST", "/v2/Services")]
    assert not outcome.ok and sorted(seen) == ["applied", "not started", "not started"]
