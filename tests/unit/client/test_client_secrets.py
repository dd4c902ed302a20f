"""The auth token (raw or inside the Basic header) never appears in an error, a repr or a log line."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
import requests
import responses

from tests.unit.client import faults
from tests.unit.client.support import ACCOUNT, AUTH_TOKEN, BASE, BASIC, FakeTime, make_policy
from verifyctl.client import Credentials, VerifyClient
from verifyctl.errors import VerifyctlError

SERVICE = f"{BASE}/v2/Services/VA1"
SECRETS = (AUTH_TOKEN, BASIC)


def texts_of(error: BaseException) -> Iterator[str]:
    """str and repr of the error, its args, and every exception chained to it."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield from (repr(arg) for arg in current.args)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def register(mock: responses.RequestsMock, method: str, **answer: object) -> None:
    mock.add(method, SERVICE, **answer)  # type: ignore[arg-type]


ECHO = f"Authorization: Basic {BASIC} for {ACCOUNT}:{AUTH_TOKEN}"


def get(client: VerifyClient) -> object:
    return client.get("/v2/Services/VA1")


def create(client: VerifyClient) -> object:
    return client.create("/v2/Services/VA1", [("FriendlyName", "x")])


def delete(client: VerifyClient) -> object:
    client.delete("/v2/Services/VA1")
    return None


@pytest.mark.parametrize(
    ("method", "answers", "call"),
    [
        (
            "GET",
            [{"json": {"code": 20003, "message": ECHO, "more_info": ECHO, "status": 401}, "status": 401}],
            get,
        ),
        ("GET", [{"body": ECHO, "status": 400}], get),
        ("GET", [{"body": ECHO, "status": 200}], get),
        ("GET", [{"body": requests.RequestException(f"weird failure {ECHO}")}], get),
        ("GET", [{"body": faults.tls_failure()}], get),
        ("GET", [{"body": faults.refused()}, {"body": faults.reset()}, {"body": ECHO, "status": 503}], get),
        ("POST", [{"body": faults.read_timeout()}], create),
        ("POST", [{"body": faults.reset()}], create),
        ("POST", [{"body": ECHO, "status": 500}], create),
        ("POST", [{"body": ECHO, "status": 201}], create),
        ("POST", [{"json": {"code": 20429, "message": ECHO, "status": 429}, "status": 429}] * 3, create),
        ("DELETE", [{"body": ECHO, "status": 404}], delete),
    ],
    ids=[
        "twilio error echoing it",
        "html error echoing it",
        "non-json success",
        "unknown requests failure",
        "tls failure",
        "transport give-up",
        "create timeout",
        "create reset",
        "create 500",
        "create without json",
        "create throttled give-up",
        "delete 404",
    ],
)
def test_no_error_text_contains_the_secret(
    credentials: Credentials,
    fake_time: FakeTime,
    method: str,
    answers: list[dict[str, object]],
    call: Callable[[VerifyClient], object],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    policy = make_policy(fake_time, max_attempts=len(answers))
    with (
        responses.RequestsMock(assert_all_requests_are_fired=True) as mock,
        VerifyClient(BASE, credentials, retry=policy) as client,
    ):
        for answer in answers:
            register(mock, method, **answer)
        with pytest.raises(VerifyctlError) as caught:
            call(client)
    texts = [*texts_of(caught.value), repr(client), repr(client.stats), repr(credentials), caplog.text]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


@pytest.mark.parametrize(
    "answer",
    [
        {"json": {"code": 20003, "message": ECHO, "more_info": ECHO, "status": 401}, "status": 401},
        {"body": ECHO, "status": 401},
    ],
    ids=["twilio body", "plain body"],
)
def test_a_secret_echoed_by_the_server_is_masked(
    client: VerifyClient, mock: responses.RequestsMock, answer: dict[str, object]
) -> None:
    register(mock, "GET", **answer)
    with pytest.raises(VerifyctlError) as caught:
        client.get("/v2/Services/VA1")
    assert f"Authorization: Basic *** for {ACCOUNT}:***" in str(caught.value)


def test_info_log_has_one_line_per_request_without_headers(
    client: VerifyClient, mock: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="verifyctl.client")
    mock.get(SERVICE, json={"code": 20429, "message": "slow down", "status": 429}, status=429)
    mock.get(SERVICE, json={"sid": "VA1"})
    client.get("/v2/Services/VA1")
    lines = [r.getMessage() for r in caplog.records if r.name == "verifyctl.client"]
    request_lines = [line for line in lines if " -> " in line]
    assert len(request_lines) == 2  # INFO (-v): one line per request, the retry included
    assert request_lines[0].startswith("GET /v2/Services/VA1 -> 429 in ")
    assert request_lines[0].endswith("ms (attempt 1)")
    assert request_lines[1].startswith("GET /v2/Services/VA1 -> 200 in ")
    assert request_lines[1].endswith("ms (attempt 2)")
    for line in lines:
        assert "Authorization" not in line
        assert AUTH_TOKEN not in line
