"""Each cause in the hint catalogue, fed through the client: the exact one-line message and its class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
import responses

from tests.unit.client import faults
from tests.unit.client.support import ACCOUNT, AUTH_TOKEN, FakeTime, make_policy
from verifyctl.client import Credentials, VerifyClient
from verifyctl.client.hints import HINTS, Cause
from verifyctl.errors import (
    EXIT_ERROR,
    EXIT_REFUSED,
    ApiError,
    OutcomeUnknownError,
    TransportError,
    VerifyctlError,
    WriteRefusedError,
)

TWILIO = "https://verify.twilio.com"
LOCAL = "http://127.0.0.1:8080"
KEY = "SK" + "b" * 32


def twilio_error(status: int, code: int, message: str) -> dict[str, object]:
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    return {"json": {**body, "status": status}, "status": status}


@dataclass(frozen=True)
class Case:
    base: str
    answers: list[dict[str, object]]
    expected: str
    error: type[VerifyctlError]
    method: str = "GET"
    api_key: bool = False
    exit_code: int = EXIT_ERROR


CASES: dict[str, Case] = {
    "401 with the auth token": Case(
        TWILIO,
        [twilio_error(401, 20003, "Authenticate")],
        "Authenticate (Twilio error 20003: https://www.twilio.com/docs/errors/20003); "
        f"https://verify.twilio.com refused the credentials for account {ACCOUNT}: "
        "check TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN (or set TWILIO_API_KEY + TWILIO_API_SECRET instead)",
        ApiError,
    ),
    "401 with an API key": Case(
        TWILIO,
        [twilio_error(401, 20003, "Authenticate")],
        "Authenticate (Twilio error 20003: https://www.twilio.com/docs/errors/20003); "
        f"https://verify.twilio.com refused the credentials for account {ACCOUNT}: "
        "check TWILIO_API_KEY + TWILIO_API_SECRET (or set TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN instead)",
        ApiError,
        api_key=True,
    ),
    "404 under a base URL ending in /v2": Case(
        f"{LOCAL}/v2",
        [twilio_error(404, 20404, "The requested resource /v2/v2/Services was not found")],
        "The requested resource /v2/v2/Services was not found "
        "(Twilio error 20404: https://www.twilio.com/docs/errors/20404); "
        "drop the /v2 from --api-url (use http://127.0.0.1:8080)",
        ApiError,
    ),
    "connection refused on loopback": Case(
        LOCAL,
        [{"body": faults.refused()}, {"body": faults.refused()}],
        "GET http://127.0.0.1:8080/v2/Services: gave up after 2 attempts over 0.5 s: connection refused; "
        "nothing listens at http://127.0.0.1:8080: start `verifyctl emulator serve --port 8080`"
        " or use --local",
        TransportError,
    ),
    "connection refused elsewhere: no hint": Case(
        TWILIO,
        [{"body": faults.refused()}, {"body": faults.refused()}],
        "GET https://verify.twilio.com/v2/Services: gave up after 2 attempts over 0.5 s: connection refused",
        TransportError,
    ),
    "DNS failure, not retried": Case(
        "https://nohost.invalid",
        [{"body": faults.dns_failure()}],
        "GET https://nohost.invalid/v2/Services: could not resolve the host name; "
        "check the host in --api-url (nohost.invalid)",
        TransportError,
    ),
    "TLS failure, not retried": Case(
        TWILIO,
        [{"body": faults.tls_failure()}],
        "GET https://verify.twilio.com/v2/Services: TLS handshake failed; "
        "check the certificate of verify.twilio.com, or the CA bundle in REQUESTS_CA_BUNDLE",
        TransportError,
    ),
    "read timeouts until the retries ran out": Case(
        TWILIO,
        [{"body": faults.read_timeout()}, {"body": faults.read_timeout()}],
        "GET https://verify.twilio.com/v2/Services: gave up after 2 attempts over 0.5 s: "
        "no response within 30 s; verify.twilio.com did not answer in time: "
        "check the network and https://status.twilio.com, then rerun",
        TransportError,
    ),
    "429s until the retries ran out": Case(
        TWILIO,
        [twilio_error(429, 20429, "Too many requests")] * 2,
        "GET https://verify.twilio.com/v2/Services: gave up after 2 attempts over 0.5 s: Too many requests "
        "(Twilio error 20429: https://www.twilio.com/docs/errors/20429); "
        "the account kept throttling: lower --parallelism, or rerun later",
        ApiError,
    ),
    "5xx until the retries ran out": Case(
        TWILIO,
        [twilio_error(500, 20500, "Internal Server Error")] * 2,
        "GET https://verify.twilio.com/v2/Services: gave up after 2 attempts over 0.5 s: "
        "Internal Server Error (Twilio error 20500: https://www.twilio.com/docs/errors/20500); "
        "verify.twilio.com kept failing: check https://status.twilio.com, then rerun",
        ApiError,
    ),
    "400 / 60200 from the API": Case(
        TWILIO,
        [twilio_error(400, 60200, "Invalid parameter")],
        "Invalid parameter (Twilio error 60200: https://www.twilio.com/docs/errors/60200); "
        "fix the configuration: the API refused a value, so a rerun as is fails the same way",
        ApiError,
        method="POST",
    ),
    "403 / 70051 on a create: a key that may only read": Case(
        TWILIO,
        [twilio_error(403, 70051, "Authorization Failed")],
        "the API key cannot write: POST /v2/Services was refused: Authorization Failed "
        "(Twilio error 70051: https://www.twilio.com/docs/errors/70051); the credentials in TWILIO_API_KEY +"
        " TWILIO_API_SECRET may only read (enough for plan, show and drift checks): writes need a key"
        " with Verify write permissions",
        WriteRefusedError,
        method="POST",
        api_key=True,
        exit_code=EXIT_REFUSED,
    ),
    "403 / 70051 on a read: the key may not read, not a write refusal": Case(
        TWILIO,
        [twilio_error(403, 70051, "Authorization Failed")],
        "Authorization Failed (Twilio error 70051: https://www.twilio.com/docs/errors/70051)",
        ApiError,
        api_key=True,
    ),
    "a create that timed out: its own next step, no hint": Case(
        TWILIO,
        [{"body": faults.read_timeout()}],
        "POST https://verify.twilio.com/v2/Services: outcome unknown (the request was sent, then "
        "no response within 30 s); look the object up before trying again",
        OutcomeUnknownError,
        method="POST",
    ),
}


def call(client: VerifyClient, method: str) -> Callable[[], object]:
    if method == "POST":
        return lambda: client.create("/v2/Services", [("FriendlyName", "Acme")])
    return lambda: client.list("/v2/Services", "services")


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_cause_gives_one_line_with_its_next_step(case: Case, fake_time: FakeTime) -> None:
    username = KEY if case.api_key else ACCOUNT
    credentials = Credentials(username=username, secret=AUTH_TOKEN, account_sid=ACCOUNT)
    policy = make_policy(fake_time, max_attempts=2)
    with (
        responses.RequestsMock(assert_all_requests_are_fired=True) as mock,
        VerifyClient(case.base, credentials, retry=policy) as client,
    ):
        for answer in case.answers:
            mock.add(case.method, f"{client.base_url}/v2/Services", **answer)  # type: ignore[arg-type]
        with pytest.raises(VerifyctlError) as caught:
            call(client, case.method)()
    assert str(caught.value) == case.expected
    assert type(caught.value) is case.error
    assert caught.value.exit_code == case.exit_code
    assert "\n" not in str(caught.value)


def test_every_cause_has_a_one_line_hint() -> None:
    assert set(HINTS) == set(Cause)
    assert all("\n" not in text for text in HINTS.values())


def test_the_transport_hint_survives_the_requests_exception_class(fake_time: FakeTime) -> None:
    # A plain requests.ConnectionError without urllib3 detail is no known cause: no hint, no crash.
    credentials = Credentials(username=ACCOUNT, secret=AUTH_TOKEN, account_sid=ACCOUNT)
    with (
        responses.RequestsMock() as mock,
        VerifyClient(LOCAL, credentials, retry=make_policy(fake_time, max_attempts=1)) as client,
        pytest.raises(TransportError) as caught,
    ):
        mock.get(f"{LOCAL}/v2/Services/VA1", body=requests.ConnectionError("boom"))
        client.get("/v2/Services/VA1")
    assert str(caught.value).endswith("ConnectionError: boom")
