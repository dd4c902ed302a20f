"""The API base URL: https by default, plain http only on loopback, and the same-origin check for paging."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from urllib.parse import urlsplit

from verifyctl.errors import UsageError

DEFAULT_BASE_URL = "https://verify.twilio.com"
# Host names trusted with plain http, comma-separated (the CLI reads it; --allow-http-host adds to it).
ALLOW_HTTP_HOSTS_ENV = "VERIFYCTL_ALLOW_HTTP_HOSTS"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: the only hosts credentials may travel to unencrypted."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_base_url(url: str | None, allow_http_hosts: Collection[str] = ()) -> str:
    """The validated base URL (`--api-url`/VERIFYCTL_API_URL), default https://verify.twilio.com.

    Plain http is allowed to loopback, and to the hosts of `allow_http_hosts` (lower-case names the
    user trusts by name: --allow-http-host, for an emulator in a compose or CI service container).
    """
    text = (url or "").strip()
    if not text:
        return DEFAULT_BASE_URL
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise UsageError(f"--api-url {text!r} is not an http(s) URL with a host, e.g. {DEFAULT_BASE_URL}")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        raise UsageError(f"--api-url {text!r} has an invalid port") from None
    if parts.username is not None or parts.password is not None:
        raise UsageError("--api-url must not carry credentials; set them in TWILIO_* variables")
    if parts.query or parts.fragment:
        raise UsageError(f"--api-url {text!r} must not have a query or fragment")
    if scheme == "http" and not is_loopback_host(parts.hostname) and parts.hostname not in allow_http_hosts:
        raise UsageError(
            f"--api-url {text!r} is plain http to a non-loopback host; credentials would travel"
            f" unencrypted (use https, or trust the host by name: --allow-http-host {parts.hostname})"
        )
    return f"{scheme}://{parts.netloc}{parts.path}".rstrip("/")


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with default ports filled in, for same-origin comparisons."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return scheme, host, -1  # an unparsable port matches nothing
    return scheme, host, port or _DEFAULT_PORTS.get(scheme, 0)


def accounts_base_url(base_url: str) -> str:
    """Where the account resource lives: Twilio serves it on `api.` beside `verify.` (regional edges
    included); any other base URL (an emulator, a proxy) is taken to serve it on its own host."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if host.startswith("verify.") and host.endswith(".twilio.com"):
        netloc = parts.netloc.lower().replace("verify.", "api.", 1)
        return f"{parts.scheme}://{netloc}"
    return base_url
