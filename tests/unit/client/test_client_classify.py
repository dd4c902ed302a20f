"""The retry decision on its own: one attempt's outcome and history in, one verdict out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from tests.unit.client import faults
from tests.unit.client.support import FakeTime, make_policy
from verifyctl.client.classify import Answer, Call, History, Next, Verdict, classify
from verifyctl.errors import ApiError, OutcomeUnknownError, TransportError

READ = Call("GET", "GET https://h/v2/Services", "/v2/Services", idempotent=True)
CREATE = Call("POST", "POST https://h/v2/Services", "/v2/Services", idempotent=False)
DELETE = Call(
    "DELETE", "DELETE https://h/v2/Services/VA1", "/v2/Services/VA1", idempotent=True, is_delete=True
)


def answer(status: int, code: int | None = None, retry_after: str | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    body = f'{{"code": {code}, "message": "m", "status": {status}}}' if code is not None else ""
    response._content = body.encode()
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


def decide(outcome: Answer, call: Call, history: History | None = None, now: float = 0.0) -> Verdict:
    policy = make_policy(FakeTime())
    history = history or History(started=0.0, attempt=1)
    return classify(outcome, call, history, policy, now=now, timeout=(5, 30), secrets=())


def test_success_is_done() -> None:
    assert decide(answer(200), READ).action is Next.DONE


def test_a_concurrency_429_is_retried_after_retry_after_and_marked_throttled() -> None:
    decision = decide(answer(429, 20429, "2"), READ)
    assert (decision.action, decision.wait, decision.throttled) == (Next.RETRY, 2.0, True)


def test_another_429_is_retried_without_shrinking_the_limit() -> None:
    decision = decide(answer(429, None), READ)
    assert (decision.action, decision.throttled) == (Next.RETRY, False)


@pytest.mark.parametrize("fault", [faults.read_timeout, faults.reset], ids=lambda f: f.__name__)
def test_a_create_that_may_have_been_sent_is_outcome_unknown_never_retried(
    fault: Callable[[], requests.RequestException],
) -> None:
    decision = decide(fault(), CREATE)
    assert decision.action is Next.FINAL
    assert isinstance(decision.error, OutcomeUnknownError)


def test_a_create_answered_5xx_is_outcome_unknown() -> None:
    decision = decide(answer(502, 20500), CREATE)
    assert isinstance(decision.error, OutcomeUnknownError)


def test_a_create_that_never_connected_is_retried() -> None:
    assert decide(faults.refused(), CREATE).action is Next.RETRY


def test_delete_404_is_done_only_after_an_attempt_that_may_have_taken_effect() -> None:
    history = History(started=0.0, attempt=1)
    assert decide(answer(502, 20500), DELETE, history).action is Next.RETRY
    assert history.may_have_taken_effect
    history.attempt = 2
    assert decide(answer(404, 20404), DELETE, history).action is Next.DONE
    fresh = decide(answer(404, 20404), DELETE)
    assert fresh.action is Next.FINAL and isinstance(fresh.error, ApiError)


def test_the_last_attempt_gives_up_with_the_count_and_time() -> None:
    decision = decide(faults.refused(), READ, History(started=0.0, attempt=5), now=7.5)
    assert decision.action is Next.FINAL
    assert isinstance(decision.error, TransportError)
    assert (
        str(decision.error)
        == "GET https://h/v2/Services: gave up after 5 attempts over 7.5 s: connection refused"
    )
