"""Transport failures built the way requests and urllib3 raise them, for `responses` to throw."""

from __future__ import annotations

import socket

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.exceptions import SSLError as Urllib3SSLError


def refused() -> requests.ConnectionError:
    """Connection refused: nothing was sent."""
    cause = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    cause.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return requests.ConnectionError(MaxRetryError(None, "/v2/Services", cause))  # type: ignore[arg-type]


def dns_failure() -> requests.ConnectionError:
    """The host name did not resolve: nothing was sent."""
    cause = NameResolutionError("nohost.invalid", None, socket.gaierror(-2, "Name or service not known"))  # type: ignore[arg-type]
    cause.__cause__ = socket.gaierror(-2, "Name or service not known")
    return requests.ConnectionError(MaxRetryError(None, "/v2/Services", cause))  # type: ignore[arg-type]


def connect_timeout() -> requests.ConnectTimeout:
    """The TCP connection never came up: nothing was sent."""
    cause = ConnectTimeoutError(None, "Connection to verify.twilio.com timed out. (connect timeout=5)")
    return requests.ConnectTimeout(MaxRetryError(None, "/v2/Services", cause))  # type: ignore[arg-type]


def reset() -> requests.ConnectionError:
    """The connection dropped after the request went out, with no response."""
    return requests.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    )


def read_timeout() -> requests.ReadTimeout:
    """The request went out and no answer came in time."""
    return requests.ReadTimeout(ReadTimeoutError(None, "/v2/Services", "Read timed out. (read timeout=30)"))  # type: ignore[arg-type]


def tls_failure() -> requests.exceptions.SSLError:
    """The certificate did not verify."""
    cause = Urllib3SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    return requests.exceptions.SSLError(MaxRetryError(None, "/v2/Services", cause))  # type: ignore[arg-type]
