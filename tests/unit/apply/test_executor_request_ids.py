"""Each outcome carries its object's SID (a create's new one) and the writes sent for it, with request ids."""

from __future__ import annotations

import itertools
from typing import Any

from tests.unit.apply.test_executor import SVC, FakeClient, create, run
from verifyctl.client.exchanges import Exchange, ExchangeRecorder
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.resources.addresses import Address


class RecordingClient(FakeClient):
    """Notes each write as the real client does, answered with a request id of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.recorder = ExchangeRecorder()
        self.ids = itertools.count(1)  # next() on a count is atomic: each write gets its own

    def _note(self, method: str, status: int) -> None:
        self.recorder.note(method, status, f"RQ{next(self.ids):032x}")

    def create(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        item = super().create(path, form)
        self._note("POST", 201)
        return item

    def update(self, path: str, form: list[tuple[str, str]]) -> dict[str, Any]:
        self._note("POST", 200)
        return super().update(path, form)

    def delete(self, path: str) -> None:
        super().delete(path)
        self._note("DELETE", 204)


def test_outcomes_carry_the_sid_and_the_request_ids_of_their_own_writes() -> None:
    client = RecordingClient()
    service = Address.parse("service[B]")
    update = Change(service, Action.UPDATE, {"code_length": 6}, {"code_length": 7}, ("code_length",), id=SVC)
    plan = Plan(changes=(create("service[A]", {"friendly_name": "A"}), update), ids={service: SVC})

    by_address = {
        str(o.change.address): o for o in run(client, plan, recording=client.recorder.recording).outcomes
    }

    created = by_address["service[A]"]
    assert created.sid == client.objects["/v2/Services"][0]["sid"]
    assert created.requests == (Exchange("POST", 201, created.requests[0].request_id),)
    updated = by_address["service[B]"]
    assert updated.sid == SVC
    assert [(e.method, e.status) for e in updated.requests] == [("POST", 200)]
    assert created.requests[0].request_id != updated.requests[0].request_id


def test_without_a_recording_outcomes_list_no_requests() -> None:
    outcome = run(RecordingClient(), Plan(changes=(create("service[A]", {"friendly_name": "A"}),)))
    assert [o.requests for o in outcome.outcomes] == [()]
