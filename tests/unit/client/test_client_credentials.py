"""Credentials come from the TWILIO_* variables as docs/environments.md says; the secret never shows."""

from __future__ import annotations

import pytest

from verifyctl.client import Credentials, credentials_from_env
from verifyctl.errors import CredentialsError

ACCOUNT = "AC" + "1" * 32
KEY = "SK" + "2" * 32
TOKEN = "auth-token-value-4242"
SECRET = "api-secret-value-4343"


def test_api_key_pair_names_the_account_from_account_sid() -> None:
    creds = credentials_from_env(
        {"TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": SECRET, "TWILIO_ACCOUNT_SID": ACCOUNT}
    )
    assert creds == Credentials(username=KEY, secret=SECRET, account_sid=ACCOUNT)


def test_account_sid_and_auth_token() -> None:
    creds = credentials_from_env({"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN})
    assert creds == Credentials(username=ACCOUNT, secret=TOKEN, account_sid=ACCOUNT)


def test_api_key_pair_wins_over_auth_token() -> None:
    creds = credentials_from_env(
        {
            "TWILIO_API_KEY": KEY,
            "TWILIO_API_SECRET": SECRET,
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": TOKEN,
        }
    )
    assert (creds.username, creds.secret) == (KEY, SECRET)


def test_values_are_stripped_of_surrounding_whitespace() -> None:
    creds = credentials_from_env({"TWILIO_ACCOUNT_SID": f" {ACCOUNT}\n", "TWILIO_AUTH_TOKEN": f"{TOKEN}\n"})
    assert (creds.username, creds.secret) == (ACCOUNT, TOKEN)


@pytest.mark.parametrize(
    ("environ", "must_name"),
    [
        ({}, ["TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]),
        ({"TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": "  "}, ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]),
        ({"TWILIO_ACCOUNT_SID": ACCOUNT}, ["TWILIO_AUTH_TOKEN"]),
        ({"TWILIO_AUTH_TOKEN": TOKEN}, ["TWILIO_ACCOUNT_SID"]),
        ({"TWILIO_API_KEY": KEY, "TWILIO_ACCOUNT_SID": ACCOUNT}, ["TWILIO_API_SECRET"]),
        ({"TWILIO_API_SECRET": SECRET, "TWILIO_ACCOUNT_SID": ACCOUNT}, ["TWILIO_API_KEY"]),
        ({"TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": SECRET}, ["TWILIO_ACCOUNT_SID"]),
        # A half-set key pair is a mistake to report, not a reason to fall back to the auth token silently.
        (
            {"TWILIO_API_KEY": KEY, "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN},
            ["TWILIO_API_SECRET"],
        ),
    ],
    ids=[
        "nothing",
        "empty values",
        "sid without token",
        "token without sid",
        "key without secret",
        "secret without key",
        "key pair without account",
        "half key pair beside a token",
    ],
)
def test_missing_or_half_set_credentials_are_a_one_line_error(
    environ: dict[str, str], must_name: list[str]
) -> None:
    with pytest.raises(CredentialsError) as caught:
        credentials_from_env(environ)
    message = str(caught.value)
    assert "\n" not in message
    assert "--local" in message
    for name in must_name:
        assert name in message
    for secret in (TOKEN, SECRET):
        assert secret not in message


def test_the_secret_is_absent_from_repr_and_str() -> None:
    creds = credentials_from_env({"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN})
    assert TOKEN not in repr(creds)
    assert TOKEN not in str(creds)
    assert ACCOUNT in repr(creds)


def test_credentials_from_env_does_not_read_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    with pytest.raises(CredentialsError):
        credentials_from_env({})
