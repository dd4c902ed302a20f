"""The HTTP layer (keep-alive, no Nagle delay, one write per answer) and `EmulatorServer`, its library API."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import logging
import secrets
import socket
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from verifyctl.emulator.access import ControlAccess
from verifyctl.emulator.accounts import MAIN, READ_ONLY, Account, keys_of_type, to_accounts
from verifyctl.emulator.app import CONTROL_PREFIX, DEFAULT_REQUEST_LOG_SIZE, App, Credentials, Reply
from verifyctl.emulator.clock import Clock
from verifyctl.emulator.concurrency import ConcurrencyLimit
from verifyctl.emulator.deadline import BoundedHead, DeadlineReader
from verifyctl.emulator.directory import DEFAULT_MAX_SUBACCOUNTS, Directory, check_name
from verifyctl.emulator.errors import SERVICE_UNAVAILABLE, ApiError
from verifyctl.emulator.faults import Faults, FaultSettings
from verifyctl.emulator.hosts import (
    accepted_host_names,
    check_public_url,
    default_public_url,
    host_accepted,
    is_loopback,
    loopback_url,
)
from verifyctl.emulator.limits import (
    BAD_REQUEST,
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_HEAD_BYTES,
    DEFAULT_REQUEST_TIMEOUT,
    REQUEST_TIMEOUT,
    BodyRefused,
    ConnectionLimits,
    body_length,
)
from verifyctl.emulator.store import Store

logger = logging.getLogger("verifyctl.emulator")

_DEV_ACCOUNT_KEY = "dev_account_sid"
_DEV_TOKEN_KEY = "dev_auth_token"


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    # stop() must not wait for idle keep-alive connections; it closes them itself.
    block_on_close = False
    # A burst of connections waits in the kernel rather than in SYN retransmits (seconds each).
    request_queue_size = 1024

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        family: socket.AddressFamily,
        limits: ConnectionLimits,
    ) -> None:
        self.address_family = family
        self.app = app
        self.limits = limits
        self.public_url = ""
        self.accepted_hosts: frozenset[str] | None = None
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Counted here, on the accepting thread, so the cap holds exactly whatever the handler threads do.
        with self.connections_lock:
            full = len(self.connections) >= self.limits.max_connections
            if not full:
                self.connections.add(request)
        if full:
            _turn_away(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-request is normal here (timeouts, dropped writes): no traceback.
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)

    def close_connections(self) -> None:
        with self.connections_lock:
            open_connections = list(self.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "verifyctl-emulator"
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        # A connection that sends nothing for this long is closed (http.server treats a read timeout as
        # the end of the connection), so idle clients cannot hold connections, threads and descriptors;
        # a request must also arrive whole within its deadline, so trickling clients cannot either.
        self.connection.settimeout(self.server.limits.idle_timeout)
        self._reader = DeadlineReader(self.connection, self.server.limits.idle_timeout)
        self._stream = io.BufferedReader(self._reader)
        self.rfile.close()
        self.rfile = self._stream
        self._head: BoundedHead | None = None
        self._answered = False
        # http.server writes headers and body separately; without this each keep-alive answer waits ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        limits = self.server.limits
        self._reader.finish()
        try:
            # Waiting for a request is idling; its first byte starts the request's deadline.
            started = self._stream.peek(1)
        except OSError:
            started = b""
        if not started:
            self.close_connection = True
            return
        self._reader.start(limits.request_timeout)
        self._answered = False
        self._head = BoundedHead(self._stream, limits.max_head_bytes)
        self.rfile = self._head  # type: ignore[assignment]
        try:
            super().handle_one_request()
        except http.client.LineTooLong:
            # The request line alone went past the bound (http.server answers a header line itself).
            self.send_error(431)
        finally:
            self.rfile = self._stream
        if self._reader.expired and not self._answered:
            self.close_connection = True
            self._reader.finish()
            with contextlib.suppress(OSError):
                self._send(Reply(408, ApiError(408, REQUEST_TIMEOUT, _TIMEOUT_MESSAGE).body()))

    def parse_request(self) -> bool:
        try:
            return super().parse_request()
        finally:
            # The head is read: the body is bounded by Content-Length and the body limit instead.
            self.rfile = self._stream

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, head too large…) as Twilio JSON, then close."""
        self.close_connection = True
        if code == 431 and self._head is not None and self._head.exceeded:
            message = f"Request head too large (at most {self.server.limits.max_head_bytes} bytes)"
        text = message or self.responses.get(code, ("Bad request",))[0]
        # The emulator's own codes, after Twilio's pattern of 20000 + the HTTP status.
        self._send(Reply(code, ApiError(code, 20000 + code, text).body()))

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        target = urlsplit(self.path)
        app = self.server.app
        refusal = self._host_refusal()
        if refusal is not None:
            # The body is never read: the connection cannot go on.
            self.close_connection = True
            self._send(app.refuse(self.command, target.path, refusal))
            return
        try:
            length = body_length(
                self.command,
                self.headers.get_all("Content-Length") or [],
                self.headers.get("Transfer-Encoding"),
                self.server.limits.max_body_bytes,
            )
        except BodyRefused as refused:
            # Answered, never read: a body of unknown or excessive size closes the connection after.
            self.close_connection = self.close_connection or refused.close
            self._send(app.refuse(self.command, target.path, refused))
            self._discard(refused.drain)
            return
        raw = self.rfile.read(length) if length > 0 else b""
        self._reader.finish()
        if len(raw) < length:
            # The client ended its side before sending the body it announced: nothing to act on.
            self.close_connection = True
            message = f"Request body shorter than its Content-Length ({len(raw)} of {length} bytes)"
            self._send(app.refuse(self.command, target.path, ApiError(400, BAD_REQUEST, message)))
            return
        body = raw.decode("utf-8", errors="replace")
        if target.path.startswith(CONTROL_PREFIX):
            outcome = app.control(
                self.command, target.path, target.query, body, self.headers.get("Authorization")
            )
        else:
            # Links come from the configured URL, never from the `Host` header a caller may forge.
            outcome = app.handle(
                self.command,
                target.path,
                target.query,
                body,
                self.headers.get("Authorization"),
                self.server.public_url,
            )
        if outcome.drop:
            # The write is done; the client gets no answer at all.
            self.close_connection = True
            return
        self._send(outcome)

    def _host_refusal(self) -> ApiError | None:
        """Why the `Host` header does not name this emulator, or None (a request without one passes)."""
        given = self.headers.get_all("Host") or []
        if len(given) > 1:
            return ApiError(400, BAD_REQUEST, "More than one Host header")
        if not given or host_accepted(given[0], self.server.accepted_hosts):
            return None
        names = ", ".join(sorted(self.server.accepted_hosts or ()))
        return ApiError(
            400,
            BAD_REQUEST,
            f"Host {given[0][:100]!r} is not a name of this emulator (it answers to {names} and IP"
            " addresses; start it with --allowed-host NAME to add one)",
        )

    def _discard(self, remaining: int) -> None:
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                return
            remaining -= len(chunk)

    def _send(self, outcome: Reply) -> None:
        self._answered = True
        reason = self.responses.get(outcome.status, ("",))[0]
        lines = [
            f"HTTP/1.1 {outcome.status} {reason}",
            f"Date: {self.date_time_string()}",
            f"Server: {self.server_version}",
        ]
        payload = b""
        if outcome.body is not None:
            payload = json.dumps(outcome.body).encode("utf-8")
            lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        elif outcome.status != 204:
            lines.append("Content-Length: 0")
        lines += [f"{name}: {value}" for name, value in outcome.headers.items()]
        if self.close_connection:
            lines.append("Connection: close")
        # One write for headers and body.
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)


_TIMEOUT_MESSAGE = "The request did not arrive in time"


def _turn_away(connection: socket.socket) -> None:
    """Answer 503 on a connection beyond the cap and close it at once, without reading or waiting."""
    body = json.dumps(ApiError(503, SERVICE_UNAVAILABLE, "Too many open connections").body()).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        # A fresh socket's send buffer takes this whole; never block the accepting thread on a client.
        connection.setblocking(False)
        connection.send(head.encode("latin-1") + body)
        # Whatever the client already sent is read away, so the close is a FIN rather than a reset that
        # could destroy the 503 before the client reads it.
        with contextlib.suppress(BlockingIOError):
            connection.recv(65536)
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


def _dev_account(store: Store) -> tuple[str, str]:
    """The development account persisted in the database, created on first use."""
    sid, token = store.setting(_DEV_ACCOUNT_KEY), store.setting(_DEV_TOKEN_KEY)
    if sid is None or token is None:
        sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
        with store.transaction():
            store.set_setting(_DEV_ACCOUNT_KEY, sid)
            store.set_setting(_DEV_TOKEN_KEY, token)
    return sid, token


def _creation_times(store: Store, accounts: list[Account], now: float) -> dict[str, float]:
    """When each account was first served, persisted so a restart with the same database keeps the date."""
    times = {}
    with store.transaction():
        for account in accounts:
            key = f"account_created:{account.sid}"
            stored = store.setting(key)
            if stored is None:
                store.set_setting(key, repr(now))
                stored = repr(now)
            times[account.sid] = float(stored)
    return times


def _check_seeds(
    seeds: Mapping[str, Sequence[str]], given: list[Account] | None, max_subaccounts: int
) -> dict[str, list[str]]:
    """The subaccounts to seed, checked before anything opens: known main accounts, valid unique names."""
    if max_subaccounts < 0:
        raise ValueError("max_subaccounts must not be negative")
    known = {account.sid for account in given or []}
    checked: dict[str, list[str]] = {}
    for owner, names in seeds.items():
        if owner not in known:
            raise ValueError(f"subaccounts of {owner!r}: not one of the accounts given (accounts=...)")
        checked[owner] = _check_names(owner, names, max_subaccounts)
    return checked


def _check_names(owner: str, names: Sequence[str], max_subaccounts: int) -> list[str]:
    if isinstance(names, str):
        raise ValueError(f"subaccounts of {owner!r}: a list of friendly names, not one string")
    listed = list(names)
    for name in listed:
        try:
            check_name(name)
        except ValueError as error:
            raise ValueError(f"subaccount name {name[:20]!r}: {error}") from None
    if len(set(listed)) != len(listed):
        raise ValueError(f"subaccounts of {owner!r}: a friendly name is given twice")
    if len(listed) > max_subaccounts:
        raise ValueError(f"subaccounts of {owner!r}: {len(listed)} is more than max_subaccounts")
    return listed


def _seed(directory: Directory, seeds: dict[str, list[str]], now: float) -> None:
    """Create the seeded subaccounts a kept database does not hold yet (by friendly name), in one go each."""
    for owner, names in seeds.items():
        existing = {found.name for found in directory.subaccounts(owner)}
        missing = [name for name in names if name not in existing]
        if missing:
            directory.create_many(owner, missing, now)


class EmulatorServer:
    """A Verify v2 emulator on a background thread: `start()`, use `base_url` and `accounts`, `stop()`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: str | Path | None = None,
        accounts: Sequence[tuple[str, str] | tuple[str, str, str]] | None = None,
        api_keys: Sequence[tuple[str, ...]] | None = None,
        latency_ms: float = 0,
        error_rate: float = 0.0,
        throttle_rate: float = 0.0,
        drop_rate: float = 0.0,
        seed: int | None = None,
        retry_after_seconds: int = 1,
        max_concurrency: int | None = None,
        concurrency_retry_after: int | None = None,
        public_url: str | None = None,
        request_log_size: int = DEFAULT_REQUEST_LOG_SIZE,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        open_control: bool = False,
        admin_token: str | None = None,
        allowed_hosts: Sequence[str] = (),
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES,
        subaccounts: Mapping[str, Sequence[str]] | None = None,
        max_subaccounts: int = DEFAULT_MAX_SUBACCOUNTS,
        max_family_services: int | None = None,
        normalise_names: bool = False,
    ) -> None:
        self._host = host
        self._port = port
        self._public_url = check_public_url(public_url) if public_url else None
        # Checked before anything opens: a bad value leaves nothing behind.
        self._limit = ConcurrencyLimit(max_concurrency, concurrency_retry_after)
        if request_log_size < 1:
            raise ValueError("request_log_size must be at least 1")
        self._limits = ConnectionLimits(
            max_body_bytes, idle_timeout, max_connections, request_timeout, max_head_bytes
        )
        # Any web page can send requests to loopback (DNS rebinding, forms), and off loopback anyone on the
        # network can: control endpoints need credentials unless the caller opens them, on loopback only.
        if open_control and (admin_token is not None or not is_loopback(host)):
            raise ValueError("open control endpoints are for loopback only and take no admin token")
        required = not open_control
        self._control = ControlAccess(required, (admin_token or secrets.token_hex(16)) if required else None)
        self._accepted_hosts = accepted_host_names(
            host, urlsplit(self.base_url).hostname or "", list(allowed_hosts)
        )
        # (sid, token) or (sid, token, name); a missing name becomes "Emulator account N". Checked before
        # the database opens, so a bad name leaves nothing open behind.
        given = to_accounts(list(accounts)) if accounts else None
        seeds = _check_seeds(subaccounts or {}, given, max_subaccounts)
        if max_family_services is not None and max_family_services < 0:
            raise ValueError("max_family_services must not be negative")
        self._store = Store(db_path)
        self._accounts = given or to_accounts([_dev_account(self._store)])
        faults = Faults(FaultSettings(latency_ms, error_rate, throttle_rate, drop_rate), seed)
        self._clock = Clock()
        created = _creation_times(self._store, self._accounts, self._clock.now())
        served = {account.sid: (account, created[account.sid]) for account in self._accounts}
        self._directory = Directory(self._store, served, max_subaccounts)
        try:
            _seed(self._directory, seeds, self._clock.now())
        except ApiError as error:
            # A kept database may already hold subaccounts: the seeds must fit beside them.
            self._store.close()
            raise ValueError(f"the subaccounts to seed do not fit: {error.message}") from None
        credentials = Credentials(
            # The live token map: subaccounts made at run time authenticate at once.
            accounts=self._directory.tokens,
            api_keys={key[0]: (key[1], key[2]) for key in api_keys or []},
            read_only_keys=keys_of_type(api_keys or [], READ_ONLY),
            main_keys=keys_of_type(api_keys or [], MAIN),
        )
        self._app = App(
            self._store,
            self._clock,
            credentials,
            faults,
            retry_after_seconds,
            self._directory,
            self._limit,
            request_log_size=request_log_size,
            control_access=self._control,
            max_family_services=max_family_services,
            normalise_names=normalise_names,
        )
        self._http: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    def __repr__(self) -> str:
        return f"EmulatorServer(host={self._host!r}, port={self._port})"

    @property
    def accounts(self) -> list[tuple[str, str]]:
        """The (account SID, auth token) pairs the emulator accepts."""
        return [(account.sid, account.token) for account in self._accounts]

    @property
    def account_names(self) -> dict[str, str]:
        """Account SID -> friendly name, as `GET /2010-04-01/Accounts/{Sid}.json` answers it."""
        return {account.sid: account.name for account in self._accounts}

    def subaccounts(self, main_sid: str | None = None) -> list[tuple[str, str, str]]:
        """(SID, auth token, friendly name) of the subaccounts of a main account (default: the first)."""
        owner = main_sid or self._accounts[0].sid
        return [(found.sid, found.token, found.name) for found in self._directory.subaccounts(owner)]

    def seed_subaccounts(
        self, names: Sequence[str], main_sid: str | None = None
    ) -> list[tuple[str, str, str]]:
        """Subaccounts of a main account (default: the first) with these names, made in one transaction.

        Names a subaccount already has are kept as they are (a kept database); returns them all, in order.
        Raises ValueError for a bad or repeated name, an unknown main account, or more than `max_subaccounts`.
        """
        owner = main_sid or self._accounts[0].sid
        if owner not in {account.sid for account in self._accounts}:
            raise ValueError(f"subaccounts of {owner!r}: not one of the emulator's accounts")
        listed = _check_names(owner, names, self._directory.max_subaccounts)
        try:
            _seed(self._directory, {owner: listed}, self._clock.now())
        except ApiError as error:
            raise ValueError(f"the subaccounts to seed do not fit: {error.message}") from None
        wanted = set(listed)
        return [entry for entry in self.subaccounts(owner) if entry[2] in wanted]

    def account_status(self, sid: str) -> str | None:
        """`active`, `suspended` or `closed`; None for an account the emulator does not serve."""
        return self._directory.status(sid)

    @property
    def max_subaccounts(self) -> int:
        """Subaccounts (not closed) a main account may have; one more is refused 400 / 21480."""
        return self._directory.max_subaccounts

    @property
    def max_family_services(self) -> int | None:
        """Services a main account and its subaccounts may hold together (None: no cap); then 400 / 21102."""
        return self._app.max_family_services

    @property
    def max_concurrency(self) -> int | None:
        """Requests in flight per account beyond which the emulator answers 429 / 20429 (None: no cap)."""
        return self._limit.maximum

    @property
    def concurrency_retry_after(self) -> int | None:
        """The Retry-After (seconds) of a request refused by `max_concurrency` (None: no header)."""
        return self._limit.retry_after

    @property
    def control_auth(self) -> bool:
        """Whether `/__emulator__/*` needs credentials (unless opened with `open_control`, on loopback)."""
        return self._control.required

    @property
    def accepted_hosts(self) -> frozenset[str] | None:
        """The `Host` names answered (IP literals always are), or None for any name."""
        return self._accepted_hosts

    @property
    def admin_token(self) -> str | None:
        """The bearer token for clock control and every account's data; None when control is open."""
        return self._control.admin_token

    @property
    def is_loopback(self) -> bool:
        """Whether only this machine can reach the emulator."""
        return is_loopback(self._host)

    @property
    def port(self) -> int:
        return self._port

    @property
    def host(self) -> str:
        return self._host

    @property
    def base_url(self) -> str:
        """The URL clients reach the emulator at, and from which every link in its answers is built.

        `public_url` when given; else `http://HOST:PORT`, with this machine's name for every interface.
        """
        return self._public_url or default_public_url(self._host, self._port)

    @property
    def loopback_url(self) -> str:
        """A URL that reaches the emulator from this machine."""
        return loopback_url(self._host, self._port)

    def start(self) -> EmulatorServer:
        if self._http is not None:
            raise RuntimeError("the emulator is already running")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        self._http = _HttpServer((self._host, self._port), self._app, family, self._limits)
        self._port = int(self._http.server_address[1])
        self._http.public_url = self.base_url
        self._http.accepted_hosts = self._accepted_hosts
        # A short poll interval makes stop() quick: it waits for the serving loop to notice.
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="verify-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and the database; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        # Requests waiting out their latency answer now instead of holding stop() up.
        self._app.faults.change(latency_ms=0)
        if self._http is not None:
            self._http.shutdown()
            self._http.close_connections()
            self._http.server_close()
        if self._thread is not None:
            self._thread.join()
        self._store.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # Test helpers -------------------------------------------------------------------------------

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward (verifications expire after 10 minutes)."""
        self._clock.advance(seconds)

    def open_connections(self) -> int:
        """Client connections open now (accepted and not yet closed)."""
        if self._http is None:
            return 0
        with self._http.connections_lock:
            return len(self._http.connections)

    def in_flight(self, account_sid: str | None = None) -> int:
        """API requests being answered now (latency included), for one account or for all."""
        return self._limit.in_flight(account_sid)

    def concurrency_refusals(self, account_sid: str | None = None) -> int:
        """API requests answered 429 / 20429 for exceeding `max_concurrency`, for one account or all."""
        return self._limit.refused(account_sid)

    def requests(self) -> list[dict[str, Any]]:
        """The latest answered API requests (up to `request_log_size`): method, path, status, account…"""
        return self._app.requests()

    def clear_requests(self) -> None:
        self._app.clear_requests()

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Messages the emulator would have delivered, oldest first."""
        return self._store.messages(to)

    def set_faults(
        self,
        *,
        error_rate: float | None = None,
        throttle_rate: float | None = None,
        drop_rate: float | None = None,
        latency_ms: float | None = None,
    ) -> None:
        """Change the injected faults while running; an argument left out keeps its value."""
        self._app.faults.change(
            error_rate=error_rate, throttle_rate=throttle_rate, drop_rate=drop_rate, latency_ms=latency_ms
        )
