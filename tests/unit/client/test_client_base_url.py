"""--api-url: https by default, plain http only to loopback, no credentials or query in the URL."""

from __future__ import annotations

import pytest

from verifyctl.client import Credentials, VerifyClient, resolve_base_url
from verifyctl.errors import EXIT_USAGE, UsageError


@pytest.mark.parametrize("given", [None, "", "   "])
def test_default_is_twilio(given: str | None) -> None:
    assert resolve_base_url(given) == "https://verify.twilio.com"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://verify.twilio.com/", "https://verify.twilio.com"),
        ("https://proxy.example.com/twilio///", "https://proxy.example.com/twilio"),
        ("HTTPS://verify.twilio.com", "https://verify.twilio.com"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.3.4.5:9", "http://127.3.4.5:9"),
        ("http://localhost:5000", "http://localhost:5000"),
        ("http://[::1]:5000/", "http://[::1]:5000"),
    ],
)
def test_accepted_urls_lose_trailing_slashes(given: str, expected: str) -> None:
    assert resolve_base_url(given) == expected


@pytest.mark.parametrize(
    ("given", "complaint"),
    [
        ("http://verify.twilio.com", "plain http to a non-loopback host"),
        ("http://10.0.0.5:8080", "plain http to a non-loopback host"),
        ("http://128.0.0.1", "plain http to a non-loopback host"),
        ("http://localhost.example.com", "plain http to a non-loopback host"),
        ("ftp://verify.twilio.com", "is not an http(s) URL"),
        ("verify.twilio.com", "is not an http(s) URL"),
        ("https://", "is not an http(s) URL"),
        ("https://verify.twilio.com:99999", "invalid port"),
        ("https://user:pw@verify.twilio.com", "must not carry credentials"),
        ("https://verify.twilio.com/?x=1", "must not have a query"),
    ],
)
def test_refused_urls_are_usage_errors(given: str, complaint: str) -> None:
    with pytest.raises(UsageError, match="--api-url") as caught:
        resolve_base_url(given)
    assert complaint in str(caught.value)
    assert caught.value.exit_code == EXIT_USAGE


def test_credentials_in_a_refused_url_are_not_repeated() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_base_url("https://AC1:hunter2secret@verify.twilio.com")
    assert "hunter2secret" not in str(caught.value)


def test_the_client_refuses_plain_http_to_a_remote_host_too() -> None:
    creds = Credentials(username="AC1", secret="s", account_sid="AC1")
    with pytest.raises(UsageError, match="plain http"):
        VerifyClient("http://verify.twilio.com", creds)
