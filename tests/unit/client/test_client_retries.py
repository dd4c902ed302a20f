"""Which failures are retried, how long the client waits, when it gives up, and when an outcome is unknown."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
import responses

from tests.unit.client import faults
from tests.unit.client.support import BASE, FakeTime, make_policy
from verifyctl.client import Credentials, RetryPolicy, VerifyClient
from verifyctl.errors import ApiError, OutcomeUnknownError, TransportError

SERVICES = f"{BASE}/v2/Services"
SERVICE = f"{SERVICES}/VA1"
THROTTLED = {
    "code": 20429,
    "message": "Too many requests",
    "more_info": "https://www.twilio.com/docs/errors/20429",
    "status": 429,
}
CREATED = {"sid": "VA1", "friendly_name": "Acme"}
FORM = [("FriendlyName", "Acme")]


def server_error(status: int) -> dict[str, object]:
    return {
        "code": 20500,
        "message": "Internal Server Error",
        "more_info": "https://www.twilio.com/docs/errors/20500",
        "status": status,
    }


# -- reads and other idempotent calls ----------------------------------------------------------------


def test_429_waits_for_retry_after_then_succeeds(
    client: VerifyClient, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    mock.get(SERVICE, json=THROTTLED, status=429, headers={"Retry-After": "3"})
    mock.get(SERVICE, json=CREATED)
    assert client.get("/v2/Services/VA1") == CREATED
    assert fake_time.sleeps == [3.0]
    assert client.stats.snapshot().retries == 1


def test_retry_after_is_capped_at_max_delay(
    client: VerifyClient, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    mock.get(SERVICE, json=THROTTLED, status=429, headers={"Retry-After": "3600"})
    mock.get(SERVICE, json=CREATED)
    client.get("/v2/Services/VA1")
    assert fake_time.sleeps == [8.0]


def test_unreadable_retry_after_falls_back_to_backoff(
    client: VerifyClient, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    mock.get(SERVICE, json=THROTTLED, status=429, headers={"Retry-After": "soon"})
    mock.get(SERVICE, json=CREATED)
    client.get("/v2/Services/VA1")
    assert fake_time.sleeps == [0.5]  # jitter 0.5 * base 1.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_on_a_read_backs_off_exponentially_with_jitter(
    client: VerifyClient, mock: responses.RequestsMock, fake_time: FakeTime, status: int
) -> None:
    for _ in range(3):
        mock.get(SERVICE, json=server_error(status), status=status)
    mock.get(SERVICE, json=CREATED)
    assert client.get("/v2/Services/VA1") == CREATED
    # jitter 0.5 of a ceiling that doubles from base_delay 1.0
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


def test_503_retry_after_is_honoured(
    client: VerifyClient, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    mock.get(SERVICE, body="down for maintenance", status=503, headers={"Retry-After": "2"})
    mock.get(SERVICE, json=CREATED)
    client.get("/v2/Services/VA1")
    assert fake_time.sleeps == [2.0]


@pytest.mark.parametrize(
    "fault",
    [faults.refused, faults.connect_timeout, faults.reset, faults.read_timeout],
    ids=lambda f: f.__name__,
)
def test_transport_failures_on_a_read_are_retried(
    client: VerifyClient, mock: responses.RequestsMock, fault: Callable[[], requests.RequestException]
) -> None:
    mock.get(SERVICE, body=fault())
    mock.get(SERVICE, json=CREATED)
    assert client.get("/v2/Services/VA1") == CREATED


def test_an_update_is_retried_after_a_5xx(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.post(SERVICE, json=server_error(500), status=500)
    mock.post(SERVICE, body=faults.reset())
    mock.post(SERVICE, json=CREATED)
    assert client.update("/v2/Services/VA1", FORM) == CREATED


def test_gives_up_after_max_attempts_and_says_so(
    client: VerifyClient, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    for _ in range(5):
        mock.get(SERVICE, json=THROTTLED, status=429)
    with pytest.raises(ApiError) as caught:
        client.get("/v2/Services/VA1")
    assert str(caught.value) == (
        f"GET {BASE}/v2/Services/VA1: gave up after 5 attempts over 7.5 s: Too many requests "
        "(Twilio error 20429: https://www.twilio.com/docs/errors/20429); "
        "the account kept throttling: lower --parallelism, or rerun later"
    )
    assert (caught.value.status, caught.value.code) == (429, 20429)
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert client.stats.snapshot().retries == 4


def test_gives_up_when_the_next_wait_would_pass_the_total_time_bound(
    credentials: Credentials, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    policy = make_policy(fake_time, max_attempts=10, max_total_seconds=3.0)
    for _ in range(3):
        mock.get(SERVICE, json=server_error(503), status=503)
    with VerifyClient(BASE, credentials, retry=policy) as client, pytest.raises(ApiError) as caught:
        client.get("/v2/Services/VA1")
    # waits 0.5 and 1.0; the next wait (2.0) would end at 3.5 s > 3.0 s
    assert str(caught.value).startswith(
        f"GET {BASE}/v2/Services/VA1: gave up after 3 attempts over 1.5 s: Internal Server Error"
    )


def test_transport_give_up_names_the_request_and_the_reason(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    for _ in range(5):
        mock.get(SERVICE, body=faults.refused())
    with pytest.raises(TransportError) as caught:
        client.get("/v2/Services/VA1")
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert str(caught.value) == f"GET {SERVICE}: gave up after 5 attempts over 7.5 s: connection refused"


def test_a_single_attempt_policy_says_attempt(
    credentials: Credentials, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    mock.get(SERVICE, body=faults.read_timeout())
    policy = make_policy(fake_time, max_attempts=1)
    expected = r"gave up after 1 attempt over 0\.0 s: no response within 30 s"
    with (
        VerifyClient(BASE, credentials, retry=policy) as client,
        pytest.raises(TransportError, match=expected),
    ):
        client.get("/v2/Services/VA1")
    assert fake_time.sleeps == []


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, 60200), (401, 20003), (403, 60205), (404, 20404), (409, 54301), (429, 60203), (429, 60202)],
)
def test_final_errors_are_not_retried(
    client: VerifyClient, mock: responses.RequestsMock, status: int, code: int
) -> None:
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    mock.get(
        SERVICE,
        json={"code": code, "message": "Nope", "more_info": more_info, "status": status},
        status=status,
    )
    with pytest.raises(ApiError) as caught:
        client.get("/v2/Services/VA1")
    error = caught.value
    assert str(error).startswith(f"Nope (Twilio error {code}: {more_info})")  # and a hint (test_client_hints)
    assert (error.status, error.code, error.method, error.path) == (status, code, "GET", "/v2/Services/VA1")


def test_a_tls_failure_is_not_retried(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.get(SERVICE, body=faults.tls_failure())
    with pytest.raises(TransportError, match="TLS handshake failed"):
        client.get("/v2/Services/VA1")


def test_a_redirect_is_not_followed(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.get(SERVICE, status=301, headers={"Location": "https://elsewhere.example.com/"})
    with pytest.raises(ApiError, match=r"GET /v2/Services/VA1 answered 301 Moved Permanently \(HTTP 301\)"):
        client.get("/v2/Services/VA1")


def test_a_non_json_error_body_becomes_an_api_error_with_an_excerpt(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(SERVICE, body="<html>\n  <h1>Forbidden</h1>\n" + "x" * 500 + "</html>", status=403)
    with pytest.raises(ApiError) as caught:
        client.get("/v2/Services/VA1")
    message = str(caught.value)
    assert message.startswith("GET /v2/Services/VA1 answered 403 Forbidden: <html> <h1>Forbidden</h1> xxx")
    assert message.endswith("… (HTTP 403)")
    assert len(message) < 300
    assert (caught.value.status, caught.value.code) == (403, None)


# -- creates: retried only when they certainly did not take effect ------------------------------------


def test_a_throttled_create_is_retried(
    client: VerifyClient, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    mock.post(SERVICES, json=THROTTLED, status=429, headers={"Retry-After": "1"})
    mock.post(SERVICES, json=CREATED, status=201)
    assert client.create("/v2/Services", FORM) == CREATED
    assert fake_time.sleeps == [1.0]


@pytest.mark.parametrize("fault", [faults.refused, faults.connect_timeout], ids=lambda f: f.__name__)
def test_a_create_that_never_connected_is_retried(
    client: VerifyClient, mock: responses.RequestsMock, fault: Callable[[], requests.RequestException]
) -> None:
    mock.post(SERVICES, body=fault())
    mock.post(SERVICES, json=CREATED, status=201)
    assert client.create("/v2/Services", FORM) == CREATED


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (faults.read_timeout, "no response within 30 s"),
        (faults.reset, "the connection was closed before a complete response"),
    ],
    ids=["timeout", "connection reset"],
)
def test_a_create_that_may_have_been_received_is_outcome_unknown(
    client: VerifyClient,
    mock: responses.RequestsMock,
    fake_time: FakeTime,
    fault: Callable[[], requests.RequestException],
    reason: str,
) -> None:
    mock.post(SERVICES, body=fault())
    with pytest.raises(OutcomeUnknownError) as caught:
        client.create("/v2/Services", FORM)
    assert f"POST {SERVICES}: outcome unknown (the request was sent, then {reason}" in str(caught.value)
    assert "look the object up" in str(caught.value)
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_create_answered_with_5xx_is_outcome_unknown(
    client: VerifyClient, mock: responses.RequestsMock, status: int
) -> None:
    mock.post(SERVICES, json=server_error(status), status=status, headers={"Retry-After": "1"})
    with pytest.raises(
        OutcomeUnknownError, match=f"outcome unknown \\(the request was sent, then answered {status}: "
    ):
        client.create("/v2/Services", FORM)


def test_a_create_answered_2xx_without_json_is_outcome_unknown(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.post(SERVICES, body="", status=201)
    with pytest.raises(OutcomeUnknownError, match="may have been created"):
        client.create("/v2/Services", FORM)


def test_a_create_refused_with_400_is_an_api_error(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.post(
        SERVICES,
        json={"code": 60200, "message": "Invalid parameter", "more_info": "x", "status": 400},
        status=400,
    )
    with pytest.raises(ApiError) as caught:
        client.create("/v2/Services", FORM)
    assert not isinstance(caught.value, OutcomeUnknownError)


# -- deletes -------------------------------------------------------------------------------------------


def test_delete_returns_nothing_on_204(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.delete(SERVICE, status=204)
    client.delete("/v2/Services/VA1")  # no error: done


@pytest.mark.parametrize(
    "first",
    [
        lambda m: m.delete(SERVICE, json=server_error(502), status=502),
        lambda m: m.delete(SERVICE, body=faults.read_timeout()),
    ],
    ids=["502", "timeout"],
)
def test_a_404_after_an_unknown_delete_outcome_counts_as_done(
    client: VerifyClient, mock: responses.RequestsMock, first: Callable[[responses.RequestsMock], object]
) -> None:
    first(mock)
    mock.delete(
        SERVICE, json={"code": 20404, "message": "not found", "more_info": "x", "status": 404}, status=404
    )
    client.delete("/v2/Services/VA1")  # no error: done


def test_a_404_after_a_throttled_delete_is_an_error(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.delete(SERVICE, json=THROTTLED, status=429)
    mock.delete(
        SERVICE, json={"code": 20404, "message": "not found", "more_info": "x", "status": 404}, status=404
    )
    with pytest.raises(ApiError, match="not found"):
        client.delete("/v2/Services/VA1")


def test_a_404_on_the_first_delete_is_an_error(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.delete(
        SERVICE, json={"code": 20404, "message": "not found", "more_info": "x", "status": 404}, status=404
    )
    with pytest.raises(ApiError) as caught:
        client.delete("/v2/Services/VA1")
    assert caught.value.code == 20404


# -- the policy itself --------------------------------------------------------------------------------


def test_full_jitter_stays_under_the_doubling_ceiling_capped_at_max_delay(fake_time: FakeTime) -> None:
    top = make_policy(fake_time, jitter=1.0, base_delay=0.5, max_delay=5.0)
    assert [top.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    bottom = make_policy(fake_time, jitter=0.0)
    assert bottom.backoff(4) == 0.0
    assert top.backoff(10_000) == 5.0


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"max_attempts": 0}, "max_attempts must be at least 1"),
        ({"base_delay": -1.0}, "base_delay must not be negative"),
        ({"max_delay": -1.0}, "max_delay must not be negative"),
        ({"max_total_seconds": -0.1}, "max_total_seconds must not be negative"),
    ],
)
def test_a_nonsensical_policy_is_refused(settings: dict[str, float], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        RetryPolicy(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"parallelism": 0}, "parallelism must be at least 1"),
        ({"timeout": (0, 30)}, "timeout must be"),
        ({"timeout": (5, -1)}, "timeout must be"),
    ],
)
def test_nonsensical_client_settings_are_refused(
    credentials: Credentials, kwargs: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        VerifyClient(BASE, credentials, **kwargs)  # type: ignore[arg-type]


def test_a_concurrency_429_without_retry_after_requeues_after_a_short_wait() -> None:
    # The adaptive limit already holds the load back; the request only needs to re-queue.
    policy = RetryPolicy(random=lambda: 1.0)
    assert policy.delay(1, None, throttled=True) == 0.05
    assert policy.delay(3, None, throttled=True) == 0.2
    assert policy.delay(1, None) == 0.5
    assert policy.delay(1, 2.0, throttled=True) == 2.0  # a Retry-After is honoured as it is


def test_concurrency_429s_have_a_budget_of_their_own(
    credentials: Credentials, mock: responses.RequestsMock, fake_time: FakeTime
) -> None:
    policy = RetryPolicy(
        max_attempts=2, max_throttled_attempts=4, sleep=fake_time.sleep, clock=fake_time.clock
    )
    for _ in range(3):
        mock.get(SERVICE, json=THROTTLED, status=429)
    mock.get(SERVICE, json=CREATED)
    with VerifyClient(BASE, credentials, retry=policy) as client:
        assert client.get("/v2/Services/VA1") == CREATED
