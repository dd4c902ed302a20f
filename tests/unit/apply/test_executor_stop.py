"""The executor stops at the first failure that concerns the whole account (nothing queued is sent, what
was sent is reported); a failure of one change holds back only the changes that depend on it."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.unit.client.support import FakeTime
from verifyctl.apply.executor import STOPPED, ApplyResult, Executor, concerns_the_account
from verifyctl.client.limiter import CancelledError
from verifyctl.client.retry import RetryPolicy
from verifyctl.errors import ApiError, OutcomeUnknownError, TransportError, VerifyctlError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.resources.addresses import Address

SVC_B = "VA" + "b" * 32


def create(address: str, after: dict[str, Any]) -> Change:
    return Change(Address.parse(address), Action.CREATE, None, after, tuple(after))


def replace(address: str, object_id: str, after: dict[str, Any]) -> Change:
    before = {"friendly_name": "old"}
    return Change(Address.parse(address), Action.REPLACE, before, after, tuple(after), id=object_id)


class CancellableClient:
    """Fails creates of `fail` with `status`; once cancelled, every call raises CancelledError as
    VerifyClient's do."""

    def __init__(self, fail: str = "", cancel_on_delete: bool = False, status: int = 401) -> None:
        self.fail = fail
        self.status = status
        self.cancel_on_delete = cancel_on_delete
        self.cancelled = 0
        self.sent: list[tuple[str, str]] = []

    def _send(self, method: str, path: str) -> None:
        if self.cancelled:
            raise CancelledError("not sent: the run was cancelled after another request failed")
        self.sent.append((method, path))

    def list(self, path: str, list_key: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        self._send("GET", path)
        return []

    def create(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        self._send("POST", path)
        if dict(form).get("FriendlyName") == self.fail:
            raise ApiError(
                status=self.status, code=None, message="refused", more_info=None, method="POST", path=path
            )
        return {"sid": "VA" + "c" * 32}

    def update(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        self._send("POST", path)
        return {}

    def delete(self, path: str) -> None:
        self._send("DELETE", path)
        if self.cancel_on_delete:
            self.cancel()  # as if another change failed while this delete was on the wire

    def cancel(self) -> None:
        self.cancelled += 1


def run(client: CancellableClient, plan: Plan) -> ApplyResult:
    # One worker: the changes of a wave start in plan order, so which ones were queued is known.
    fake_time = FakeTime()  # the waits for racing writers pass at once
    timing = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return Executor(client, pool, on_failure=client.cancel, timing=timing).run(plan)


def statuses(result: ApplyResult) -> dict[str, tuple[str, str]]:
    return {str(o.change.address): (o.status, o.detail) for o in result.outcomes}


def two_services_with_a_webhook_each() -> Plan:
    """Service A and service B, each with a webhook: a failure of A's tells what B's side does."""
    return Plan(
        changes=(
            create("service[A]", {"friendly_name": "A"}),
            create("service[B]", {"friendly_name": "B"}),
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
            create("service[B]/webhook[w]", {"friendly_name": "w"}),
        )
    )


def test_an_account_wide_failure_cancels_the_client_and_skips_every_change_not_yet_sent() -> None:
    client = CancellableClient(fail="A")  # 401: the credentials were refused
    result = run(client, two_services_with_a_webhook_each())
    seen = statuses(result)
    assert seen["service[A]"][0] == "failed"
    assert seen["service[B]"] == ("skipped", STOPPED)  # queued behind A: its request was never sent
    assert seen["service[A]/webhook[w]"] == ("skipped", "a change it depends on failed")
    assert seen["service[B]/webhook[w]"][0] == "skipped"
    assert client.cancelled == 1
    assert client.sent == [("POST", "/v2/Services")]
    assert len(result.outcomes) == 4 and not result.applied


def test_changes_sent_before_the_failure_are_reported_applied() -> None:
    client = CancellableClient(fail="B")
    plan = Plan(
        changes=(
            create("service[A]", {"friendly_name": "A"}),
            create("service[B]", {"friendly_name": "B"}),
            create("service[A]/webhook[w]", {"friendly_name": "w"}),
        )
    )
    seen = statuses(run(client, plan))
    assert seen["service[A]"][0] == "applied"
    assert seen["service[B]"][0] == "failed"
    # Independent of B, but in a later wave: not started once the run stopped.
    assert seen["service[A]/webhook[w]"] == ("skipped", STOPPED)


def test_a_replace_cancelled_between_its_delete_and_its_create_is_a_failure() -> None:
    client = CancellableClient(cancel_on_delete=True)
    plan = Plan(
        changes=(replace("service[B]", SVC_B, {"friendly_name": "B"}),),
        ids={Address.parse("service[B]"): SVC_B},
    )
    status, detail = statuses(run(client, plan))["service[B]"]
    assert status == "failed"
    assert detail.startswith("deleted, but not created again")


def test_a_failure_of_one_change_holds_back_only_its_dependents() -> None:
    client = CancellableClient(fail="A", status=400)  # the API refused a value of service[A]
    result = run(client, two_services_with_a_webhook_each())
    seen = statuses(result)
    assert seen["service[A]"][0] == "failed"
    assert seen["service[A]/webhook[w]"] == ("skipped", "a change it depends on failed")
    assert seen["service[B]"][0] == "applied"
    assert seen["service[B]/webhook[w]"][0] == "applied"
    assert client.cancelled == 0


def _api(status: int) -> ApiError:
    return ApiError(status=status, code=None, message="m", more_info=None, method="POST", path="/v2/Services")


@pytest.mark.parametrize(
    "error",
    [_api(401), _api(403), _api(429), _api(503), TransportError("https://verify.twilio.com: timed out")],
    ids=["401", "403", "429-exhausted", "503-exhausted", "no-connection"],
)
def test_what_concerns_the_whole_account(error: VerifyctlError) -> None:
    assert concerns_the_account(error)


@pytest.mark.parametrize(
    "error",
    [_api(400), _api(404), _api(409), OutcomeUnknownError("outcome unknown"), VerifyctlError("half done")],
    ids=["400", "404", "409", "outcome-unknown", "other"],
)
def test_what_concerns_one_change(error: VerifyctlError) -> None:
    assert not concerns_the_account(error)
