"""Slow and oversized requests: a request must arrive whole within its deadline, its head within a bound."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
import time

import pytest
import requests

from verifyctl.emulator import EmulatorServer

HEAD = b"GET /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def _connect(server: EmulatorServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=30)


def _answer(sock: socket.socket) -> tuple[int, dict[str, object]]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, json.loads(response.read())


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(4096):
            received += chunk
    return received


def test_trickling_headers_cannot_hold_every_slot() -> None:
    """Clients sending a header line now and then are cut off at the deadline; others get served."""
    with EmulatorServer(max_connections=4, request_timeout=2, idle_timeout=600) as server:
        tricklers = [_connect(server) for _ in range(4)]
        for sock in tricklers:
            sock.sendall(HEAD)
        # Every slot is held now: a fifth client is turned away.
        with _connect(server) as fifth:
            assert _read_until_closed(fifth).startswith(b"HTTP/1.1 503 ")
        answers: dict[int, bytes] = {}
        # Each line comes well within the idle timeout; the bound only stops a broken test hanging.
        give_up = time.monotonic() + 60
        while len(answers) < len(tricklers) and time.monotonic() < give_up:
            for index, sock in enumerate(tricklers):
                if index in answers:
                    continue
                # Read first, so a line is never sent after the server has answered.
                sock.settimeout(0.05)
                try:
                    first = sock.recv(4096)
                except TimeoutError:
                    sock.settimeout(30)
                    sock.sendall(b"X-Trickle: still-here\r\n")
                    continue
                sock.settimeout(30)
                answers[index] = first + _read_until_closed(sock)
        for sock in tricklers:
            sock.close()

        assert len(answers) == 4
        for answer in answers.values():
            assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer
            assert b'"message": "The request did not arrive in time"' in answer
        served = requests.get(server.base_url + "/v2/Services", auth=server.accounts[0], timeout=30)
        assert served.status_code == 200


def test_a_body_shorter_than_its_content_length_is_408_when_the_client_waits() -> None:
    with EmulatorServer(request_timeout=0.3, idle_timeout=600) as server, _connect(server) as sock:
        sid, _ = server.accounts[0]
        sock.sendall(b"POST /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nFriendly")
        status, body = _answer(sock)

        assert (status, body["code"], body["message"]) == (408, 20408, "The request did not arrive in time")
        assert _read_until_closed(sock) == b""
        assert sid and server.requests() == []


def test_a_body_cut_short_by_the_client_is_400_and_nothing_is_written(emulator: EmulatorServer) -> None:
    sid, token = emulator.accounts[0]
    auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
    with _connect(emulator) as sock:
        sock.sendall(
            b"POST /v2/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
            + auth.encode()
            + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            + b"FriendlyName=Acme"
        )
        sock.shutdown(socket.SHUT_WR)
        status, body = _answer(sock)

    assert (status, body["code"]) == (400, 20400)
    assert body["message"] == "Request body shorter than its Content-Length (17 of 100 bytes)"
    listed = requests.get(emulator.base_url + "/v2/Services", auth=(sid, token), timeout=10)
    assert listed.json()["services"] == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        # Each line under http.server's own 64 KiB, together over the bound.
        (b"".join(b"X-Pad-%d: %s\r\n" % (n, b"a" * 900) for n in range(20)), "Request head too large"),
        (b"".join(b"X-N-%d: 1\r\n" % n for n in range(101)), "Too many headers"),
    ],
)
def test_an_oversized_head_is_431_as_json_and_the_connection_closes(extra: bytes, message: str) -> None:
    with EmulatorServer(max_head_bytes=16 * 1024) as server, _connect(server) as sock:
        sock.sendall(HEAD + extra + b"\r\n")
        status, body = _answer(sock)

        assert (status, body["code"]) == (431, 20431)
        assert str(body["message"]).startswith(message)
        assert _read_until_closed(sock) == b""


def test_a_request_line_over_the_head_bound_is_431() -> None:
    with EmulatorServer(max_head_bytes=4096) as server, _connect(server) as sock:
        sock.sendall(b"GET /v2/" + b"a" * 8000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, body = _answer(sock)

        assert (status, body["code"]) == (431, 20431)
        assert body["message"] == "Request head too large (at most 4096 bytes)"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"NONSENSE\r\n\r\n", 400),
        (b"BREW /v2/Services HTTP/1.1\r\n\r\n", 501),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
    ],
)
def test_http_servers_own_refusals_are_twilio_shaped_json(
    emulator: EmulatorServer, raw: bytes, status: int
) -> None:
    with _connect(emulator) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = json.loads(response.read())

    assert response.status == status and response.getheader("Content-Type") == "application/json"
    assert (body["status"], body["code"]) == (status, 20000 + status)
