"""The client against a real HTTP server on loopback: concurrent paging over pooled keep-alive connections."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import verifyctl
from tests.unit.client.support import ACCOUNT, BASIC, FakeTime, make_policy
from verifyctl.client import Credentials, VerifyClient
from verifyctl.errors import ApiError, OutcomeUnknownError, TransportError

RECORDS_PER_SERVICE = 10
STUB_PAGE_SIZE = 3  # so every list spans four pages
PARALLELISM = 4


@dataclass
class Seen:
    """What the stub observed, guarded by a lock because handlers run on many threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    client_ports: set[int] = field(default_factory=set)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    release_slow: threading.Event = field(default_factory=threading.Event)
    # First pages wait here until PARALLELISM requests are in flight at once: proof of concurrency.
    first_pages: threading.Barrier = field(default_factory=lambda: threading.Barrier(PARALLELISM, timeout=5))


class StubHandler(BaseHTTPRequestHandler):
    """Paged rate limits per service, plus endpoints that drop or stall a write."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: StubServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # keep test output quiet

    def _note(self) -> None:
        with self.server.seen.lock:
            self.server.seen.client_ports.add(self.client_address[1])
            self.server.seen.requests.append((self.command, self.path, dict(self.headers.items())))

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._note()
        if self.headers.get("Authorization") != f"Basic {BASIC}":
            self._send_json(401, {"code": 20003, "message": "Authenticate", "more_info": "x", "status": 401})
            return
        parts = urlsplit(self.path)
        segments = parts.path.strip("/").split("/")
        if len(segments) != 4 or segments[:2] != ["v2", "Services"] or segments[3] != "RateLimits":
            self._send_json(404, {"code": 20404, "message": "not found", "more_info": "x", "status": 404})
            return
        service = segments[2]
        query = parse_qs(parts.query)
        if "Page" not in query:
            self.server.seen.first_pages.wait()
        page = int(query.get("Page", ["0"])[0])
        start = page * STUB_PAGE_SIZE
        records = [
            {"sid": f"RK{service}{n:04d}", "unique_name": f"{service}-{n}"}
            for n in range(start, min(start + STUB_PAGE_SIZE, RECORDS_PER_SERVICE))
        ]
        port = self.server.server_port
        more = start + STUB_PAGE_SIZE < RECORDS_PER_SERVICE
        next_url = (
            f"http://127.0.0.1:{port}{parts.path}?PageSize={STUB_PAGE_SIZE}&Page={page + 1}" if more else None
        )
        self._send_json(
            200, {"rate_limits": records, "meta": {"key": "rate_limits", "next_page_url": next_url}}
        )

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self._note()
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/v2/drop":
            self.close_connection = True  # the write "happened", the answer never comes
            return
        if self.path == "/v2/stall":
            self.server.seen.release_slow.wait(timeout=10)
            self.close_connection = True
            return
        self._send_json(201, {"sid": "VA1"})


class StubServer(ThreadingHTTPServer):
    """A threading server that carries what it saw."""

    daemon_threads = True
    seen: Seen


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer(("127.0.0.1", 0), StubHandler)
    server.seen = Seen()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.seen.release_slow.set()
        server.shutdown()
        server.server_close()
        thread.join()


def base_of(server: StubServer) -> str:
    return f"http://127.0.0.1:{server.server_port}"


def test_many_threads_read_many_pages_over_a_few_kept_alive_connections(
    stub: StubServer, credentials: Credentials, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="urllib3")
    parallelism = PARALLELISM
    services = [f"VA{n:02d}" for n in range(12)]
    with (
        VerifyClient(base_of(stub), credentials, parallelism=parallelism) as client,
        ThreadPoolExecutor(max_workers=parallelism) as pool,
    ):
        results = dict(
            zip(
                services,
                pool.map(lambda s: client.list(f"/v2/Services/{s}/RateLimits", "rate_limits"), services),
                strict=True,
            )
        )
        snapshot = client.stats.snapshot()
    for service, records in results.items():
        assert [r["unique_name"] for r in records] == [f"{service}-{n}" for n in range(RECORDS_PER_SERVICE)]
    pages_per_list = -(-RECORDS_PER_SERVICE // STUB_PAGE_SIZE)
    assert snapshot.by_method == {"GET": len(services) * pages_per_list}
    assert snapshot.retries == 0
    # 4 requests were in flight at once (the barrier), and keep-alive pooling served all 48 on those 4.
    assert len(stub.seen.client_ports) == parallelism
    assert "pool is full" not in caplog.text  # the pool holds a connection for every thread
    first_pages = [path for method, path, _ in stub.seen.requests if "Page=" not in path]
    assert all(path.endswith("?PageSize=1000") for path in first_pages)
    assert len(first_pages) == len(services)
    for _, _, headers in stub.seen.requests:
        assert headers["User-Agent"] == f"verifyctl/{verifyctl.__version__}"
        assert headers["Accept"] == "application/json"


def test_wrong_credentials_get_the_servers_error(stub: StubServer) -> None:
    wrong = Credentials(username=ACCOUNT, secret="not-the-token", account_sid=ACCOUNT)
    with (
        VerifyClient(base_of(stub), wrong) as client,
        pytest.raises(ApiError, match="Authenticate") as caught,
    ):
        client.get("/v2/Services/VA00/RateLimits")
    assert "not-the-token" not in str(caught.value)


def test_a_dropped_create_is_outcome_unknown(stub: StubServer, credentials: Credentials) -> None:
    fake_time = FakeTime()
    with VerifyClient(base_of(stub), credentials, retry=make_policy(fake_time)) as client:
        with pytest.raises(OutcomeUnknownError, match="the connection was closed before a complete response"):
            client.create("/v2/drop", [("FriendlyName", "x")])
        assert client.stats.snapshot().by_method == {"POST": 1}
    assert [m for m, _, _ in stub.seen.requests] == ["POST"]


def test_a_stalled_create_is_outcome_unknown(stub: StubServer, credentials: Credentials) -> None:
    fake_time = FakeTime()
    client = VerifyClient(base_of(stub), credentials, timeout=(2, 0.2), retry=make_policy(fake_time))
    with client, pytest.raises(OutcomeUnknownError, match=r"no response within 0\.2 s"):
        client.create("/v2/stall", [("FriendlyName", "x")])


def test_a_create_to_a_closed_port_is_retried_then_given_up(credentials: Credentials) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake_time = FakeTime()
    with VerifyClient(f"http://127.0.0.1:{port}", credentials, retry=make_policy(fake_time)) as client:
        with pytest.raises(TransportError) as caught:
            client.create("/v2/Services", [("FriendlyName", "x")])
        assert client.stats.snapshot().by_method == {"POST": 5}
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert str(caught.value) == (
        f"POST http://127.0.0.1:{port}/v2/Services: gave up after 5 attempts over 7.5 s: connection refused; "
        f"nothing listens at http://127.0.0.1:{port}: start `verifyctl emulator serve --port {port}`"
        " or use --local"
    )
