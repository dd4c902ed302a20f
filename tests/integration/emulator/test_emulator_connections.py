"""Connections: idle ones are closed after a timeout, and beyond a cap new ones get 503 and are closed."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket

import pytest
import requests

from tests.integration.emulator.support import wait_until
from verifyctl.emulator import EmulatorServer


def _connect(server: EmulatorServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=30)


def _read_until_closed(sock: socket.socket) -> bytes:
    """What the server sends until it closes the connection (socket.timeout if it never does)."""
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(4096):
            received += chunk
    return received


def _get(server: EmulatorServer) -> requests.Response:
    return requests.get(server.base_url + "/v2/Services", auth=server.accounts[0], timeout=30)


def test_an_idle_connection_is_closed_after_the_timeout() -> None:
    with EmulatorServer(idle_timeout=0.2) as server:
        silent, partial, served = _connect(server), _connect(server), _connect(server)
        partial.sendall(b"GET /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        served.sendall(b"GET /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        response = http.client.HTTPResponse(served)
        response.begin()
        response.read()

        assert response.status == 401
        for sock in (silent, served):
            with sock:
                assert _read_until_closed(sock) == b""
        with partial:
            # A request begun and never finished is told why before the connection closes.
            assert _read_until_closed(partial).startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        wait_until(lambda: server.open_connections() == 0)


def test_connections_beyond_the_cap_get_503_and_are_closed() -> None:
    with EmulatorServer(max_connections=3, idle_timeout=600) as server:
        idle = [_connect(server) for _ in range(3)]
        wait_until(lambda: server.open_connections() == 3)

        with _connect(server) as extra:
            extra.sendall(b"GET /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            response = http.client.HTTPResponse(extra)
            response.begin()
            body = json.loads(response.read())
            assert _read_until_closed(extra) == b""

        assert (response.status, response.headers["Connection"]) == (503, "close")
        assert body == {
            "code": 20503,
            "message": "Too many open connections",
            "more_info": "https://www.twilio.com/docs/errors/20503",
            "status": 503,
        }
        # A slot frees as soon as a connection closes.
        idle.pop().close()
        wait_until(lambda: server.open_connections() == 2)
        assert _get(server).status_code == 200
        for sock in idle:
            sock.close()


def test_many_idle_connections_cannot_stop_it_answering() -> None:
    # The shape of 1,100 idle connections against `ulimit -n 1024`, scaled down: the cap turns the
    # excess away at once and the timeout frees the rest, so the emulator answers again.
    with EmulatorServer(max_connections=4, idle_timeout=0.3) as server:
        crowd = [_connect(server) for _ in range(40)]
        answers = []
        for sock in crowd:
            with sock:
                answers.append(_read_until_closed(sock))
        # Each was turned away with a 503 or closed once idle; which, depends on when the timeout struck.
        assert all(answer == b"" or answer.startswith(b"HTTP/1.1 503 ") for answer in answers)
        assert sum(answer == b"" for answer in answers) >= 4
        wait_until(lambda: server.open_connections() == 0)

        assert _get(server).status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"idle_timeout": 0}, "idle_timeout"),
        ({"max_connections": 0}, "max_connections"),
        ({"request_timeout": 0}, "request_timeout"),
        ({"max_head_bytes": 100}, "max_head_bytes"),
    ],
)
def test_bad_limits_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EmulatorServer(**kwargs)  # type: ignore[arg-type]
