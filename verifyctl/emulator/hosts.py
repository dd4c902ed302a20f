"""Which addresses are loopback, and the URL clients reach the emulator at (its links are built from it)."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

_WILDCARDS = ("", "0.0.0.0", "::")
# The shorthand IPv4 forms inet_aton reads (127.1, 0x7f.0.0.1, 2130706433): numbers, never names.
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$")
_HOST_NAME = re.compile(r"^[a-z0-9_]([a-z0-9_.-]{0,251}[a-z0-9_])?$")


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


def _normal(name: str) -> str:
    return name.strip("[]").lower().rstrip(".")


def check_host_name(name: str) -> str:
    """A name to accept in `Host` (`--allowed-host`), normalised; ValueError unless a plain host name."""
    normal = _normal(name.strip())
    if not _HOST_NAME.match(normal):
        raise ValueError(f"not a host name to accept in Host: {name!r} (a name like emulator.local)")
    return normal


def accepted_host_names(listen_host: str, url_host: str, extra: list[str]) -> frozenset[str] | None:
    """The `Host` names the emulator answers to, or None for any: off loopback with no names listed.

    On loopback a page from any web site could reach the emulator under its own name (DNS rebinding), so
    only the emulator's own names pass; IP literals always pass, as no rebinding can forge one.
    """
    if not is_loopback(listen_host) and not extra:
        return None
    names = {"localhost", _normal(listen_host), _normal(url_host)} | {check_host_name(n) for n in extra}
    return frozenset(names - {""})


def host_accepted(header: str, accepted: frozenset[str] | None) -> bool:
    """Whether a request's `Host` value (name, optional port) names this emulator."""
    if accepted is None:
        return True
    name = header.strip()
    if name.startswith("["):
        name = name[: name.find("]") + 1]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    name = _normal(name)
    return name in accepted or _is_ip_literal(name)


def _is_ip_literal(name: str) -> bool:
    """An IP address in any form a resolver reads without DNS (`::1`, `10.0.0.1`, `127.1`, `0x7f.1`)."""
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    if not _LEGACY_IPV4.match(name):
        return False
    try:
        socket.inet_aton(name)
    except OSError:
        return False
    return True
