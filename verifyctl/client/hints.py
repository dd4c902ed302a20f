"""The catalogue of next-step hints for HTTP-layer failures, keyed by cause, one line each."""

from __future__ import annotations

import enum
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from verifyctl.client.base_url import is_loopback_host
from verifyctl.client.failures import is_dns_failure, is_refused, is_timeout, is_tls_failure
from verifyctl.errors import (
    ApiError,
    OutcomeUnknownError,
    TransportError,
    VerifyctlError,
    WriteRefusedError,
)


class Cause(enum.Enum):
    """Why a request failed, as far as the next step for the user differs."""

    AUTHENTICATION = "401 / Twilio 20003"
    READ_ONLY_KEY = "403 / Twilio 70051 on a write: the key may only read"
    V2_IN_BASE_URL = "404 with a base URL ending in /v2"
    REFUSED_ON_LOOPBACK = "connection refused on loopback"
    DNS = "host name does not resolve"
    TLS = "TLS handshake failed"
    TIMEOUT = "no answer in time"
    THROTTLED = "429s until the retries ran out"
    SERVER_ERROR = "5xx until the retries ran out"
    VALIDATION = "400 / Twilio 60200-class: the API refused a value"


# The one place the wording lives; `{...}` are filled from `Endpoint` and the error.
HINTS: dict[Cause, str] = {
    Cause.AUTHENTICATION: (
        "{base_url} refused the credentials for account {account_sid}: check {in_use}{instead}"
    ),
    Cause.READ_ONLY_KEY: (
        "the credentials in {in_use} may only read (enough for plan, show and drift checks):"
        " writes need a key with Verify write permissions"
    ),
    Cause.V2_IN_BASE_URL: "drop the /v2 from --api-url (use {base_without_v2})",
    Cause.REFUSED_ON_LOOPBACK: ("nothing listens at {base_url}: start `{serve}` or use --local"),
    Cause.DNS: "check the host in --api-url ({host})",
    Cause.TLS: "check the certificate of {host}, or the CA bundle in REQUESTS_CA_BUNDLE",
    Cause.TIMEOUT: (
        "{host} did not answer in time: check the network and https://status.twilio.com, then rerun"
    ),
    Cause.THROTTLED: "the account kept throttling: lower --parallelism, or rerun later",
    Cause.SERVER_ERROR: "{host} kept failing: check https://status.twilio.com, then rerun",
    Cause.VALIDATION: "fix the configuration: the API refused a value, so a rerun as is fails the same way",
}

KEY_PAIR = "TWILIO_API_KEY + TWILIO_API_SECRET"
TOKEN_PAIR = "TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN"


@dataclass(frozen=True)
class Endpoint:
    """What a hint may name: where the client talks to and as whom (never the secret)."""

    base_url: str
    account_sid: str
    uses_api_key: bool
    # The variables a named environment reads its credentials from ("" for the TWILIO_* ones).
    credential_names: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or self.base_url

    @property
    def serve(self) -> str:
        """The `emulator serve` command that listens where the base URL points (its defaults left out)."""
        return serve_command(self.base_url)


def serve_command(base_url: str) -> str:
    """`verifyctl emulator serve` with the --host and --port of `base_url` when they are not its defaults."""
    parts = urlsplit(base_url)
    words = ["verifyctl", "emulator", "serve"]
    if parts.hostname and parts.hostname != "127.0.0.1":
        words += ["--host", parts.hostname]
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if parts.scheme == "https" else 80)
    if port != 8765:
        words += ["--port", str(port)]
    return shlex.join(words)


def cause_of(error: VerifyctlError, outcome: object, target: Endpoint, *, exhausted: bool) -> Cause | None:
    """The cause of a final `error`, from it and the last attempt's outcome; None when no hint helps."""
    if isinstance(error, OutcomeUnknownError):
        return None  # its own message already says what to do: look the object up
    if isinstance(error, WriteRefusedError):
        return Cause.READ_ONLY_KEY
    if isinstance(error, ApiError):
        if error.status == 401 or error.code == 20003:
            return Cause.AUTHENTICATION
        if error.status == 404 and target.base_url.endswith("/v2"):
            return Cause.V2_IN_BASE_URL
        if error.status == 429 and exhausted:
            return Cause.THROTTLED
        if error.status >= 500 and exhausted:
            return Cause.SERVER_ERROR
        # 400 is how the API refuses a value (60200 "Invalid parameter" and its kin); 403s and
        # 429s in the 602xx range are about a verification's state, not the configuration.
        if error.status == 400:
            return Cause.VALIDATION
        return None
    if isinstance(error, TransportError) and isinstance(outcome, requests.RequestException):
        if is_tls_failure(outcome):
            return Cause.TLS
        if is_dns_failure(outcome):
            return Cause.DNS
        if is_refused(outcome) and is_loopback_host(target.host):
            return Cause.REFUSED_ON_LOOPBACK
        if is_timeout(outcome):
            return Cause.TIMEOUT
    return None


def hint(cause: Cause, target: Endpoint) -> str:
    """The catalogue's line for `cause`, filled in for `target`."""
    return HINTS[cause].format(
        base_url=target.base_url,
        base_without_v2=target.base_url.removesuffix("/v2"),
        account_sid=target.account_sid,
        host=target.host,
        serve=target.serve,
        in_use=target.credential_names or (KEY_PAIR if target.uses_api_key else TOKEN_PAIR),
        instead=(
            " (a wrong or rotated secret)"
            if target.credential_names
            else f" (or set {TOKEN_PAIR if target.uses_api_key else KEY_PAIR} instead)"
        ),
    )


def with_hint(error: VerifyctlError, outcome: object, target: Endpoint, *, exhausted: bool) -> VerifyctlError:
    """`error` with `; <hint>` appended to its one-line message when the catalogue has one."""
    cause = cause_of(error, outcome, target, exhausted=exhausted)
    if cause is not None:
        error.message = f"{error.message}; {hint(cause, target)}"
        error.args = (error.message,)
    return error
