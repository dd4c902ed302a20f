"""The `Host` check: on loopback the emulator answers only to its own names (no DNS rebinding)."""

from __future__ import annotations

import http.client
import json
import socket

import pytest
import requests

from tests.integration.emulator.support import PHONE, Api, admin, error_of
from verifyctl.emulator import EmulatorServer


def _get(
    server: EmulatorServer, path: str, host: str, headers: dict[str, str] | None = None
) -> requests.Response:
    return requests.get(
        server.base_url + path, headers={"Host": host, **(headers or {})}, auth=None, timeout=10
    )


@pytest.mark.parametrize("emulator", [{"open_control": True}], indirect=True)
def test_a_rebound_name_reads_no_codes_even_with_control_open(emulator: EmulatorServer) -> None:
    """A page on attacker.example whose name now resolves to 127.0.0.1 sends its own name as Host."""
    api = Api(emulator.base_url, emulator.accounts[0])
    api.create(f"/v2/Services/{api.service()['sid']}/Verifications", {"To": PHONE, "Channel": "sms"})
    code = emulator.messages()[0]["body"].rsplit(" ", 1)[1]

    for host in (
        "attacker.example",
        f"attacker.example:{emulator.port}",
        "127.0.0.1.nip.io",
        "localhost.evil",
    ):
        response = _get(emulator, "/__emulator__/messages", host)
        status, twilio_code, message = error_of(response)
        assert (status, twilio_code) == (400, 20400), host
        assert message.startswith(f"Host {host!r} is not a name of this emulator")
        assert "--allowed-host NAME" in message and code not in response.text
        assert response.headers["Connection"] == "close"


def test_api_requests_under_a_foreign_name_are_refused_and_logged(emulator: EmulatorServer) -> None:
    refused = requests.get(
        emulator.base_url + "/v2/Services",
        headers={"Host": "attacker.example"},
        auth=emulator.accounts[0],
        timeout=10,
    )

    assert error_of(refused)[:2] == (400, 20400)
    assert [(r["path"], r["status"]) for r in emulator.requests()] == [("/v2/Services", 400)]


def test_its_own_names_and_ip_addresses_pass_with_any_port(emulator: EmulatorServer) -> None:
    for host in (
        "127.0.0.1",
        f"127.0.0.1:{emulator.port}",
        "localhost",
        f"LOCALHOST.:{emulator.port}",
        "[::1]",
        f"[::1]:{emulator.port}",
        "127.0.0.2:9000",
        "192.0.2.10",
    ):
        response = _get(emulator, "/__emulator__/messages", host, admin(emulator))
        assert response.status_code == 200, (host, response.text)


@pytest.mark.parametrize("emulator", [{"allowed_hosts": ["verify-emulator", "Emu.Example."]}], indirect=True)
def test_names_the_operator_lists_pass(emulator: EmulatorServer) -> None:
    for host in ("verify-emulator", "verify-emulator:8765", "emu.example", "EMU.EXAMPLE:1"):
        assert _get(emulator, "/__emulator__/messages", host, admin(emulator)).status_code == 200, host
    assert _get(emulator, "/__emulator__/messages", "other-service", admin(emulator)).status_code == 400


def test_two_host_headers_are_refused(emulator: EmulatorServer) -> None:
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=30) as sock:
        sock.sendall(b"GET /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: attacker.example\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = json.loads(response.read())

    assert (response.status, body["code"], body["message"]) == (400, 20400, "More than one Host header")


def test_every_interface_checks_host_only_for_listed_names() -> None:
    # Not started: deciding needs no bind, and tests listen on loopback only.
    anywhere = EmulatorServer(host="0.0.0.0", port=8765)
    listed = EmulatorServer(host="0.0.0.0", port=8765, allowed_hosts=["emulator"])
    public = EmulatorServer(host="127.0.0.1", port=8765, public_url="https://verify.test:8443")
    try:
        assert anywhere.accepted_hosts is None
        assert listed.accepted_hosts is not None and "emulator" in listed.accepted_hosts
        assert public.accepted_hosts == frozenset({"127.0.0.1", "localhost", "verify.test"})
    finally:
        for server in (anywhere, listed, public):
            server.stop()


@pytest.mark.parametrize("name", ["", "evil/x", "a b", "user@host", "*.example", "-leading", "x" * 300])
def test_a_bad_allowed_host_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a host name to accept in Host"):
        EmulatorServer(allowed_hosts=[name])


def test_a_rebound_name_without_credentials_is_refused_before_anything_is_read(
    emulator: EmulatorServer,
) -> None:
    """Today's default: a page on attacker.example, rebound to 127.0.0.1, asks for the messages."""
    api = Api(emulator.base_url, emulator.accounts[0])
    api.create(f"/v2/Services/{api.service()['sid']}/Verifications", {"To": PHONE, "Channel": "sms"})
    code = emulator.messages()[0]["body"].rsplit(" ", 1)[1]

    response = _get(emulator, "/__emulator__/messages", f"attacker.example:{emulator.port}")

    assert error_of(response)[:2] == (400, 20400) and code not in response.text
