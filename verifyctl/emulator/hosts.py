"""Which addresses are loopback, and the URL clients reach the emulator at (its links are built from it)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

_WILDCARDS = ("", "0.0.0.0", "::")


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses: only this machine can connect."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        # A host name other than localhost may resolve anywhere: treat it as reachable from outside.
        return False


def is_wildcard(host: str) -> bool:
    """True for an address that listens on every interface."""
    return host in _WILDCARDS


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def default_public_url(host: str, port: int) -> str:
    """The URL others reach the emulator at: the host itself, or this machine's name for every interface."""
    return _url(socket.gethostname() if is_wildcard(host) else host, port)


def loopback_url(host: str, port: int) -> str:
    """A URL that reaches the emulator from this machine (loopback when it listens on every interface)."""
    if is_wildcard(host):
        return _url("::1" if host == "::" else "127.0.0.1", port)
    return _url(host, port)


def check_public_url(url: str) -> str:
    """`url` without a trailing slash; ValueError unless it is http(s)://HOST[:PORT] with nothing after."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValueError(f"not a valid port in the public URL {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the public URL must start with http:// or https:// and name a host: {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"the public URL must be only scheme, host and port: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"
