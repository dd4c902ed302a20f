"""Request bodies: a size limit (413) and each `Content-Length` problem answered 400, never a hang-up."""

from __future__ import annotations

import base64
import http.client
import json
import socket
from collections.abc import Iterator

import pytest
import requests

from tests.integration.emulator.support import Api, error_of
from verifyctl.emulator import EmulatorServer


@pytest.fixture
def small() -> Iterator[EmulatorServer]:
    with EmulatorServer(max_body_bytes=1000) as server:
        yield server


def _auth(server: EmulatorServer) -> str:
    sid, token = server.accounts[0]
    return "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()


def _exchange(sock: socket.socket, raw: bytes) -> tuple[int, dict[str, object]]:
    """Send raw bytes and read one answer from the socket."""
    sock.sendall(raw)
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, json.loads(response.read())


def _closed(sock: socket.socket) -> bool:
    """Whether the server closed the connection (an empty read), waiting as long as that takes."""
    return sock.recv(1) == b""


def _post(server: EmulatorServer, headers: str) -> tuple[socket.socket, int, dict[str, object]]:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    raw = f"POST /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {_auth(server)}\r\n{headers}\r\n"
    status, body = _exchange(sock, raw.encode())
    return sock, status, body


def test_a_body_over_the_default_limit_is_413_with_a_twilio_error_body(emulator: EmulatorServer) -> None:
    api = Api(emulator.base_url, emulator.accounts[0])
    form = {"FriendlyName": "x" * (1024 * 1024)}

    response = api.post("/v2/Services", form)

    assert error_of(response) == (413, 20413, "Request body too large (at most 1048576 bytes)")
    assert api.get("/v2/Services").json()["services"] == []
    assert [(r["method"], r["status"]) for r in emulator.requests()] == [("POST", 413), ("GET", 200)]


def test_a_body_at_the_limit_is_read(small: EmulatorServer) -> None:
    api = Api(small.base_url, small.accounts[0])
    body = "FriendlyName=Acme&" + "a" * (1000 - len("FriendlyName=Acme&"))

    response = api.session.post(
        small.base_url + "/v2/Services",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )

    assert response.status_code == 201


def test_a_huge_announced_body_is_refused_without_being_read(small: EmulatorServer) -> None:
    sock, status, body = _post(small, "Content-Length: 10737418240\r\n")
    with sock:
        assert (status, body["code"]) == (413, 20413)
        assert _closed(sock)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ("Content-Length: abc\r\n", "Invalid Content-Length"),
        ("Content-Length: -5\r\n", "Invalid Content-Length"),
        ("Content-Length: 99999999999999999999999\r\n", "Invalid Content-Length"),
        ("Content-Length: 3\r\nContent-Length: 4\r\n", "Conflicting Content-Length headers"),
        ("Transfer-Encoding: chunked\r\n", "Transfer-Encoding is not supported: send Content-Length"),
    ],
)
def test_a_body_of_unknown_length_is_400_then_the_connection_closes(
    small: EmulatorServer, headers: str, message: str
) -> None:
    sock, status, body = _post(small, headers)
    with sock:
        assert body == {
            "code": 20400,
            "message": message,
            "more_info": "https://www.twilio.com/docs/errors/20400",
            "status": 400,
        }
        assert status == 400
        assert _closed(sock)


def test_a_post_without_content_length_is_400_and_the_connection_goes_on(small: EmulatorServer) -> None:
    sock, status, body = _post(small, "")
    with sock:
        assert (status, body["code"], body["message"]) == (400, 20400, "Content-Length is required")
        again = f"GET /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {_auth(small)}\r\n\r\n"
        assert _exchange(sock, again.encode())[0] == 200


def test_a_get_needs_no_content_length(small: EmulatorServer) -> None:
    assert (
        requests.get(small.base_url + "/v2/Services", auth=small.accounts[0], timeout=10).status_code == 200
    )


def test_a_negative_body_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        EmulatorServer(max_body_bytes=-1)
