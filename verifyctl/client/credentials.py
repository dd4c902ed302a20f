"""Twilio credentials from the environment variables Twilio's own tools use; the secret never shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from verifyctl.errors import CredentialsError

API_KEY = "TWILIO_API_KEY"
API_SECRET = "TWILIO_API_SECRET"
ACCOUNT_SID = "TWILIO_ACCOUNT_SID"
AUTH_TOKEN = "TWILIO_AUTH_TOKEN"

_HINT = "or use --local to work against the embedded emulator"


@dataclass(frozen=True)
class Credentials:
    """HTTP basic-auth identity for one account; `secret` is left out of repr and str."""

    username: str
    secret: str = field(repr=False)
    account_sid: str


def _value(environ: Mapping[str, str], name: str) -> str:
    # Empty means unset: CI systems often export a variable with no value.
    return environ.get(name, "").strip()


def credentials_from_env(environ: Mapping[str, str]) -> Credentials:
    """API key + secret (account from TWILIO_ACCOUNT_SID), else account SID + auth token; else an error."""
    key, secret = _value(environ, API_KEY), _value(environ, API_SECRET)
    account, token = _value(environ, ACCOUNT_SID), _value(environ, AUTH_TOKEN)
    if key or secret:
        if not (key and secret):
            missing = API_SECRET if key else API_KEY
            raise CredentialsError(
                f"{API_KEY} and {API_SECRET} must be set together ({missing} is not set); {_HINT}"
            )
        if not account:
            raise CredentialsError(f"{API_KEY} needs {ACCOUNT_SID} to name the account; {_HINT}")
        return Credentials(username=key, secret=secret, account_sid=account)
    if account and token:
        return Credentials(username=account, secret=token, account_sid=account)
    if account or token:
        missing = AUTH_TOKEN if account else ACCOUNT_SID
        raise CredentialsError(
            f"{ACCOUNT_SID} and {AUTH_TOKEN} must be set together ({missing} is not set); {_HINT}"
        )
    raise CredentialsError(
        f"no Twilio credentials: set {API_KEY} + {API_SECRET} + {ACCOUNT_SID}, "
        f"or {ACCOUNT_SID} + {AUTH_TOKEN}; {_HINT}"
    )
