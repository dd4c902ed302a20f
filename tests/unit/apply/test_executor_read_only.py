"""A key that may only read: the run's first write goes alone, and its refusal ends the run with nothing
else sent; a write refused later (a key allowed some writes) is kept on the result for exit 3."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.unit.client.support import FakeTime
from verifyctl.apply.executor import ApplyResult, Executor, Outcome
from verifyctl.client.limiter import CancelledError
from verifyctl.client.retry import RetryPolicy
from verifyctl.errors import EXIT_REFUSED, WriteRefusedError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.resources.addresses import Address


def create(name: str) -> Change:
    after = {"friendly_name": name}
    return Change(Address.parse(f"service[{name}]"), Action.CREATE, None, after, tuple(after))


def refusal(path: str) -> WriteRefusedError:
    return WriteRefusedError(
        status=403,
        code=70051,
        message="Authorization Failed",
        more_info="https://www.twilio.com/docs/errors/70051",
        method="POST",
        path=path,
    )


class Client:
    """Refuses the creates named in `refuse` as Twilio refuses a restricted key; cancels as VerifyClient."""

    def __init__(self, refuse: set[str]) -> None:
        self.refuse = refuse
        self.sent: list[str] = []
        self.cancelled = False
        self._lock = threading.Lock()

    def list(self, path: str, list_key: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        return []

    def create(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        name = dict(form)["FriendlyName"]
        with self._lock:
            if self.cancelled:
                raise CancelledError("not sent: the run was cancelled after another request failed")
            self.sent.append(name)
        if name in self.refuse:
            raise refusal(path)
        return {"sid": "VA" + f"{len(self.sent):032x}"}

    def update(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        raise AssertionError("no update in these plans")

    def delete(self, path: str) -> None:
        raise AssertionError("no delete in these plans")

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True


def run(client: Client, plan: Plan, heard: list[Outcome]) -> ApplyResult:
    fake_time = FakeTime()
    timing = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    # Four workers for four independent creates: all would be on the wire at once but for the first write.
    with ThreadPoolExecutor(max_workers=4) as pool:
        executor = Executor(
            client, pool, progress=heard.append, on_failure=client.cancel, timing=timing, sole_writer=True
        )
        return executor.run(plan)


PLAN = Plan(changes=tuple(create(name) for name in "ABCD"))


def test_a_key_that_may_only_read_is_refused_once_and_nothing_else_is_sent() -> None:
    client = Client(refuse=set("ABCD"))
    heard: list[Outcome] = []

    with pytest.raises(WriteRefusedError) as refused:
        run(client, PLAN, heard)

    assert client.sent == ["A"]
    assert heard == []
    assert refused.value.exit_code == EXIT_REFUSED
    assert str(refused.value) == (
        "the API key cannot write: POST /v2/Services was refused: Authorization Failed (Twilio error 70051:"
        " https://www.twilio.com/docs/errors/70051); nothing was written"
    )


def test_a_write_refused_after_others_were_applied_is_kept_on_the_result() -> None:
    client = Client(refuse={"B"})
    plan = Plan(changes=(create("A"), create("B")))

    result = run(client, plan, [])

    assert result.refused_write is not None and result.refused_write.path == "/v2/Services"
    assert [str(o.change.address) for o in result.applied] == ["service[A]"]
    assert [str(o.change.address) for o in result.failed] == ["service[B]"]
    assert client.cancelled


def test_a_run_without_refusals_has_no_refused_write() -> None:
    result = run(Client(refuse=set()), PLAN, [])

    assert result.ok and result.refused_write is None
