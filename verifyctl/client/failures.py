"""Turning HTTP error answers and transport failures into verifyctl errors, with secrets scrubbed out."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from collections.abc import Iterable, Iterator

import requests
import urllib3.exceptions

from verifyctl.client.secrets import mask_urls, scrub
from verifyctl.errors import ApiError, WriteRefusedError

__all__ = [
    "api_error_from_response",
    "certainly_not_sent",
    "describe_transport_failure",
    "is_dns_failure",
    "is_refused",
    "is_timeout",
    "is_tls_failure",
    "scrub",
]

_EXCERPT_CHARS = 200
# Twilio's answer to a restricted key asked for what its permissions leave out (403, "Authorization Failed").
AUTHORIZATION_FAILED = 70051
_WRITE_METHODS = frozenset({"POST", "DELETE"})


def _excerpt(body: str) -> str:
    flat = re.sub(r"\s+", " ", body).strip()
    return flat if len(flat) <= _EXCERPT_CHARS else flat[: _EXCERPT_CHARS - 1] + "…"


def api_error_from_response(
    response: requests.Response, method: str, path: str, secrets: Iterable[str]
) -> ApiError:
    """A Twilio error body as ApiError; anything else as ApiError with the status and a body excerpt."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"]:
        code = body.get("code")
        more_info = body.get("more_info")
        # A 403 / 70051 on a write after the key could read: a key that may only read.
        refused_write = status == 403 and code == AUTHORIZATION_FAILED and method in _WRITE_METHODS
        return (WriteRefusedError if refused_write else ApiError)(
            status=status,
            code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            # The API may echo a value it refused: a URL's userinfo and query are masked, as plans mask them.
            message=mask_urls(scrub(body["message"], secrets)),
            more_info=scrub(more_info, secrets) if isinstance(more_info, str) and more_info else None,
            method=method,
            path=path,
        )
    reason = response.reason or http.client.responses.get(status, "error")
    text = _excerpt(mask_urls(scrub(response.text, secrets))) if response.content else ""
    message = f"{method} {path} answered {status} {reason}" + (f": {text}" if text else "")
    return ApiError(status=status, code=None, message=message, more_info=None, method=method, path=path)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and every exception it wraps (args, urllib3's `reason`, causes), each once."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
        pending.extend(n for n in nested if isinstance(n, BaseException))


def certainly_not_sent(exc: requests.RequestException) -> bool:
    """True when the failure happened before any byte of the request could reach the server."""
    for inner in _chain(exc):
        if isinstance(
            inner,
            requests.ConnectTimeout
            | requests.exceptions.ProxyError
            | requests.exceptions.SSLError
            | urllib3.exceptions.NewConnectionError
            | urllib3.exceptions.ConnectTimeoutError
            | ConnectionRefusedError
            | socket.gaierror,
        ):
            return True
    return False


def is_dns_failure(exc: requests.RequestException) -> bool:
    """The host name did not resolve: retrying within seconds will not make it resolve."""
    return any(
        isinstance(inner, socket.gaierror | urllib3.exceptions.NameResolutionError) for inner in _chain(exc)
    )


def is_refused(exc: requests.RequestException) -> bool:
    return any(isinstance(inner, ConnectionRefusedError) for inner in _chain(exc))


def is_timeout(exc: requests.RequestException) -> bool:
    """No connection or no answer within the timeout (urllib3 files refusals under connect timeouts)."""
    chain = list(_chain(exc))
    if any(isinstance(inner, requests.ReadTimeout | urllib3.exceptions.ReadTimeoutError) for inner in chain):
        return True
    connect = any(
        isinstance(inner, requests.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError) for inner in chain
    )
    return connect and not any(isinstance(inner, urllib3.exceptions.NewConnectionError) for inner in chain)


def is_tls_failure(exc: requests.RequestException) -> bool:
    """A certificate or handshake failure: retrying cannot help."""
    return any(isinstance(inner, requests.exceptions.SSLError | ssl.SSLError) for inner in _chain(exc))


def describe_transport_failure(
    exc: requests.RequestException, timeout: tuple[float, float], secrets: Iterable[str]
) -> str:
    """A short human reason for a transport failure, without object reprs or secrets."""
    chain = list(_chain(exc))

    def has(*kinds: type[BaseException]) -> bool:
        return any(isinstance(inner, kinds) for inner in chain)

    if has(requests.exceptions.SSLError, ssl.SSLError):
        return "TLS handshake failed"
    if has(socket.gaierror, urllib3.exceptions.NameResolutionError):
        return "could not resolve the host name"
    if has(ConnectionRefusedError):
        return "connection refused"
    if has(requests.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError) and not has(
        urllib3.exceptions.NewConnectionError
    ):
        return f"could not connect within {timeout[0]:g} s"
    if has(urllib3.exceptions.NewConnectionError):
        return "could not connect"
    if has(requests.exceptions.ProxyError):
        return "the proxy refused the connection"
    if has(requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError, socket.timeout):
        return f"no response within {timeout[1]:g} s"
    if has(
        ConnectionResetError,
        ConnectionAbortedError,
        BrokenPipeError,
        http.client.RemoteDisconnected,
        urllib3.exceptions.ProtocolError,
        requests.exceptions.ChunkedEncodingError,
    ):
        return "the connection was closed before a complete response arrived"
    return f"{type(exc).__name__}: {_excerpt(scrub(str(exc), secrets))}"
