"""Hosts trusted by name with plain http (--allow-http-host, VERIFYCTL_ALLOW_HTTP_HOSTS), checked."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

import click

from verifyctl.client.base_url import ALLOW_HTTP_HOSTS_ENV
from verifyctl.errors import UsageError

allow_http_host_option = click.option(
    "--allow-http-host",
    "allow_http_hosts",
    multiple=True,
    metavar="HOST",
    help="Allow plain http to this host, trusted by name: an emulator in a compose or CI "
    f"service container (repeatable) [env {ALLOW_HTTP_HOSTS_ENV}=HOST,HOST].",
)

_LABEL = r"[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")


def trusted_http_hosts(given: tuple[str, ...], environ: Mapping[str, str]) -> tuple[str, ...]:
    """The hosts of --allow-http-host and VERIFYCTL_ALLOW_HTTP_HOSTS (comma-separated), checked, lower-case.

    Each must be a bare host name or IP address: a scheme, port, path or wildcard is refused, naming
    where it came from, so that a typo never trusts more than the one host meant.
    """
    named = [(host, f"--allow-http-host {host!r}") for host in given]
    listed = environ.get(ALLOW_HTTP_HOSTS_ENV, "")
    if listed.strip():
        named += [(host, f"{ALLOW_HTTP_HOSTS_ENV} entry {host!r}") for host in listed.split(",")]
    hosts: list[str] = []
    for host, origin in named:
        bare = host.strip().lower()
        if not _is_host(bare):
            raise UsageError(
                f"{origin} is not a host name or IP address (give the bare host, e.g. emulator for"
                " http://emulator:8765)"
            )
        hosts.append(bare.strip("[]"))
    return tuple(dict.fromkeys(hosts))


def _is_host(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]") if text.startswith("[") else text)
        return True
    except ValueError:
        return bool(_HOST_NAME.match(text))
