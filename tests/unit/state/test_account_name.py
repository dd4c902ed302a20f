"""The account's name is read from the account resource; a refusal leaves the masked SID to name it."""

from __future__ import annotations

from typing import Any

import pytest

from verifyctl.client.base_url import accounts_base_url
from verifyctl.errors import ApiError, TransportError
from verifyctl.state.account import read_account_name


class FakeClient:
    def __init__(self, answer: dict[str, Any] | Exception) -> None:
        self.answer = answer
        self.paths: list[str] = []

    def get(self, path: str) -> dict[str, Any]:
        self.paths.append(path)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_the_name_comes_from_the_account_resource() -> None:
    client = FakeClient({"sid": "AC1", "friendly_name": "Acme Production"})
    assert read_account_name(client, "AC1") == "Acme Production"
    assert client.paths == ["/2010-04-01/Accounts/AC1.json"]


@pytest.mark.parametrize(
    "failure",
    [
        ApiError(status=401, code=20003, message="Authenticate", more_info="", method="GET", path="/"),
        ApiError(status=404, code=20404, message="not found", more_info="", method="GET", path="/"),
        TransportError("GET /: connection reset"),
    ],
)
def test_credentials_that_may_not_read_it_leave_the_name_empty(failure: Exception) -> None:
    assert read_account_name(FakeClient(failure), "AC1") == ""


def test_a_name_that_is_not_text_is_ignored() -> None:
    assert read_account_name(FakeClient({"friendly_name": None}), "AC1") == ""


@pytest.mark.parametrize(
    ("verify", "accounts"),
    [
        ("https://verify.twilio.com", "https://api.twilio.com"),
        ("https://verify.dublin.ie1.twilio.com", "https://api.dublin.ie1.twilio.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://proxy.example.com/twilio", "https://proxy.example.com/twilio"),
    ],
)
def test_the_account_resource_lives_beside_verify(verify: str, accounts: str) -> None:
    assert accounts_base_url(verify) == accounts
