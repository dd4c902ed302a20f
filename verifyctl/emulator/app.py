"""One request through the emulator: faults, authentication, routing, the handler, and the request log."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from verifyctl.emulator import routes
from verifyctl.emulator.access import ControlAccess
from verifyctl.emulator.account_api import AccountsApi
from verifyctl.emulator.accounts import ACCOUNTS_LIST_PATH, ACCOUNTS_RESOURCE, account_path_sid
from verifyctl.emulator.clock import Clock, iso
from verifyctl.emulator.concurrency import ConcurrencyLimit
from verifyctl.emulator.context import Context
from verifyctl.emulator.directory import INACTIVE, Directory
from verifyctl.emulator.errors import (
    AUTHENTICATE,
    FORBIDDEN,
    INTERNAL_ERROR,
    INVALID_PARAMETER,
    METHOD_NOT_ALLOWED,
    TOO_MANY_REQUESTS,
    ApiError,
    not_found,
    write_refused,
)
from verifyctl.emulator.faults import FaultDraw, Faults
from verifyctl.emulator.normalising import normalised_names
from verifyctl.emulator.store import Store
from verifyctl.emulator.validation import Form

logger = logging.getLogger("verifyctl.emulator")

CONTROL_PREFIX = "/__emulator__/"
DEFAULT_REQUEST_LOG_SIZE = 10_000
WRITE_METHODS = ("POST", "DELETE")
SERVICES_PATH = "/v2/Services"
SERVICE_KIND = "service"
# Twilio 21102 "Reached maximum number of Services": counted "at the parent account and product level,
# including requests made from subaccounts" (twilio.com/docs/api/errors/21102; no HTTP status given).
MAX_SERVICES = 21102


@dataclass
class Reply:
    """What to answer: status, JSON body (None for 204), extra headers; `drop` closes without answering."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


@dataclass(frozen=True)
class Authenticated:
    """Whom a request's credentials authenticate: the account, and what the credentials may do there."""

    account_sid: str
    may_write: bool
    # Only an auth token or a Main key reads `/2010-04-01/Accounts*`.
    reads_accounts: bool


@dataclass(frozen=True)
class Credentials:
    """Who may call: account SID -> token, API key SID -> (secret, account SID), and the key types."""

    accounts: dict[str, str]
    api_keys: dict[str, tuple[str, str]]
    # Keys that read and are refused every write, as a restricted key with only read permissions is.
    read_only_keys: frozenset[str] = frozenset()
    # Main keys read the Accounts resource as an auth token does; Standard and Restricted keys may not.
    main_keys: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        # Never show secrets, even in a debugger or a traceback.
        return f"Credentials(accounts={sorted(self.accounts)}, api_keys={sorted(self.api_keys)})"

    def account_for(self, authorization: str | None) -> str | None:
        """The account an `Authorization: Basic ...` header authenticates, or None."""
        found = self.authenticate(authorization)
        return None if found is None else found.account_sid

    def authenticate(self, authorization: str | None) -> Authenticated | None:
        """The account a `Basic` authorization header authenticates and what it may do, or None."""
        # The scheme name is case-insensitive (RFC 7235).
        if not authorization or authorization[:6].lower() != "basic ":
            return None
        try:
            user, _, password = base64.b64decode(authorization[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        token = self.accounts.get(user)
        if token is not None and hmac.compare_digest(token.encode(), password.encode()):
            return Authenticated(user, may_write=True, reads_accounts=True)
        key = self.api_keys.get(user)
        if key is not None and hmac.compare_digest(key[0].encode(), password.encode()):
            return Authenticated(key[1], user not in self.read_only_keys, user in self.main_keys)
        return None


def _form(raw: str) -> Form:
    return Form(parse_qs(raw, keep_blank_values=True))


def _param_names(body: str) -> list[str]:
    """The names of a request's parameters: a form's keys, or a JSON object's top-level keys (Passkeys)."""
    if body.lstrip().startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return []
        return sorted(parsed) if isinstance(parsed, dict) else []
    return sorted(set(parse_qs(body, keep_blank_values=True)))


def _authenticate() -> ApiError:
    """401 / 20003: no credentials, wrong ones, or a key the resource does not admit."""
    return ApiError(401, AUTHENTICATE, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'})


def _inactive() -> ApiError:
    """403 / 20403 for the credentials of a suspended or closed account, as Twilio refuses them."""
    return ApiError(403, FORBIDDEN, "Forbidden: the account is suspended or closed")


def _error(error: ApiError) -> Reply:
    return Reply(error.status, error.body(), dict(error.headers))


class App:
    """The emulator behind the HTTP layer: answers `/v2` requests and the `/__emulator__` control paths."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        credentials: Credentials,
        faults: Faults,
        retry_after_seconds: int,
        directory: Directory,
        limit: ConcurrencyLimit | None = None,
        request_log_size: int = DEFAULT_REQUEST_LOG_SIZE,
        control_access: ControlAccess | None = None,
        max_family_services: int | None = None,
        normalise_names: bool = False,
    ) -> None:
        if max_family_services is not None and max_family_services < 0:
            raise ValueError("max_family_services must not be negative")
        # Twilio's cap on services across a main account and its subaccounts (None: no cap).
        self.max_family_services = max_family_services
        self.store = store
        # Every account served, main accounts and subaccounts, for authentication and `/2010-04-01/Accounts`.
        self.directory = directory
        self.accounts_api = AccountsApi(directory)
        # The test mode of normalising.py: service names stored trimmed, their blanks collapsed.
        self.normalise_names = normalise_names
        self.limit = limit or ConcurrencyLimit()
        self.control_access = control_access or ControlAccess(required=False)
        self.clock = clock
        self.credentials = credentials
        self.faults = faults
        self.retry_after_seconds = retry_after_seconds
        if request_log_size < 1:
            raise ValueError("request_log_size must be at least 1")
        # A ring: a long-running emulator keeps the latest requests, not every request since it started.
        self._log: deque[dict[str, Any]] = deque(maxlen=request_log_size)
        self._log_lock = threading.Lock()

    # The request log ---------------------------------------------------------------------------

    def requests(self, account_sid: str | None = None) -> list[dict[str, Any]]:
        """The logged requests, oldest first: all, or only those `account_sid` made."""
        with self._log_lock:
            return [dict(e) for e in self._log if account_sid is None or e["account_sid"] == account_sid]

    def clear_requests(self, account_sid: str | None = None) -> None:
        """Forget the logged requests: all, or only those `account_sid` made."""
        with self._log_lock:
            if account_sid is None:
                self._log.clear()
                return
            kept = [entry for entry in self._log if entry["account_sid"] != account_sid]
            self._log.clear()
            self._log.extend(kept)

    def _record(self, method: str, path: str, body: str, outcome: Reply, account_sid: str | None) -> None:
        entry = {
            "method": method,
            "path": path,
            "status": outcome.status,
            "account_sid": account_sid,
            "dropped": outcome.drop,
            # The names of the form parameters sent (never their values, which may be personal data),
            # so tests can prove an update carried only the fields that changed.
            "params": _param_names(body),
        }
        with self._log_lock:
            self._log.append(entry)

    def refuse(self, method: str, path: str, error: ApiError) -> Reply:
        """Answer a request refused before its body was read; API requests are logged like any other."""
        outcome = _error(error)
        if not path.startswith(CONTROL_PREFIX):
            self._record(method, path, "", outcome, None)
        return outcome

    # API requests ------------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: str, body: str, authorization: str | None, base_url: str
    ) -> Reply:
        """Answer one API request (anything outside `/__emulator__/`)."""
        started = time.monotonic()
        decision = self.faults.draw()
        # Counted from arrival, latency included: the latency stands for the time a request holds its slot.
        found = self.credentials.authenticate(authorization)
        caller = found.account_sid if found is not None else None
        admitted = caller is None or self.limit.enter(caller)
        try:
            self.faults.wait_latency(started)
            if admitted:
                outcome, account_sid = self._outcome(method, path, query, body, base_url, decision, found)
            else:
                outcome, account_sid = self._too_many_concurrent(), caller
        finally:
            if caller is not None and admitted:
                self.limit.leave(caller)
        self._record(method, path, body, outcome, account_sid)
        return outcome

    def _too_many_concurrent(self) -> Reply:
        retry = {} if self.limit.retry_after is None else {"Retry-After": str(self.limit.retry_after)}
        return _error(ApiError(429, TOO_MANY_REQUESTS, "Too many concurrent requests", retry))

    def _outcome(
        self,
        method: str,
        path: str,
        query: str,
        body: str,
        base_url: str,
        decision: FaultDraw,
        found: Authenticated | None,
    ) -> tuple[Reply, str | None]:
        """An injected fault (logged without an account, as before) or the real answer, and its account."""
        account_sid: str | None = None
        if decision.error:
            outcome = _error(ApiError(500, INTERNAL_ERROR, "Internal server error (injected fault)"))
        elif decision.throttle:
            retry = {"Retry-After": str(self.retry_after_seconds)}
            outcome = _error(ApiError(429, TOO_MANY_REQUESTS, "Too many requests", retry))
        else:
            account_sid = None if found is None else found.account_sid
            # An API key may name an account the emulator does not list (no status): it is not refused.
            if account_sid is not None and self.directory.status(account_sid) in INACTIVE:
                return _error(_inactive()), account_sid
            if found is not None and not found.may_write and method in WRITE_METHODS:
                # Refused before any routing, as Twilio checks a key's permissions before the resource;
                # nothing was done, so there is nothing to drop the answer of.
                return _error(write_refused()), account_sid
            if found is not None and not found.reads_accounts and path.startswith(ACCOUNTS_RESOURCE):
                # Twilio answers a Standard or Restricted key on the Accounts resource as unauthenticated.
                return _error(_authenticate()), account_sid
            outcome = self._answer(method, path, query, body, account_sid, base_url)
            if decision.drop and method in WRITE_METHODS and path.startswith("/v2/"):
                outcome.drop = True
        return outcome, account_sid

    def _answer(
        self, method: str, path: str, query: str, body: str, account_sid: str | None, base_url: str
    ) -> Reply:
        if account_sid is None:
            return _error(_authenticate())
        if path == ACCOUNTS_LIST_PATH or account_path_sid(path) is not None:
            return self._accounts(method, path, query, body, account_sid)
        found = routes.match(path)
        if found is None:
            return _error(not_found(path))
        handlers, params = found
        handler = handlers.get(method)
        if handler is None:
            allow = {"Allow": ", ".join(sorted(handlers))}
            return _error(ApiError(405, METHOD_NOT_ALLOWED, "Method not allowed", allow))
        if self.normalise_names:
            body = normalised_names(method, path, body)
        ctx = Context(
            store=self.store,
            clock=self.clock,
            account_sid=account_sid,
            method=method,
            path=path,
            params=params,
            query=_form(query),
            form=_form(body),
            base_url=base_url,
            body=body,
        )
        # Read before the transaction: the directory's lock is never taken inside the store's.
        family = self._capped_family(method, path, account_sid)
        try:
            with self.store.transaction():
                if family:
                    self._check_family_services(family)
                result = handler(ctx)
        except ApiError as error:
            return _error(error)
        except Exception:
            logger.exception("emulator failed answering %s %s", method, path)
            return _error(ApiError(500, INTERNAL_ERROR, "Internal server error"))
        return Reply(result.status, result.body, dict(result.headers))

    def _capped_family(self, method: str, path: str, account_sid: str) -> list[str]:
        """The accounts whose services count towards the cap when this request creates one, else []."""
        if self.max_family_services is None or method != "POST" or path != SERVICES_PATH:
            return []
        return self.directory.family(account_sid)

    def _check_family_services(self, family: list[str]) -> None:
        if self.store.count(family, SERVICE_KIND, "") >= (self.max_family_services or 0):
            raise ApiError(
                400,
                MAX_SERVICES,
                f"Reached maximum number of Services ({self.max_family_services} across the main account"
                " and its subaccounts)",
            )

    def _accounts(self, method: str, path: str, query: str, body: str, account_sid: str) -> Reply:
        asked_sid = account_path_sid(path)
        now, form = self.clock.now(), _form(body)
        try:
            if asked_sid is None:
                status, answer = self.accounts_api.collection(method, _form(query), form, account_sid, now)
            else:
                status, answer = self.accounts_api.instance(method, path, asked_sid, form, account_sid, now)
        except ApiError as error:
            return _error(error)
        return Reply(status, answer)

    # Control paths -----------------------------------------------------------------------------

    def control(
        self, method: str, path: str, query: str, body: str, authorization: str | None = None
    ) -> Reply:
        """The tool's own endpoints: recorded messages, the request log, the clock."""
        caller = self.control_access.identify(authorization, self.credentials.account_for)
        if caller is None:
            headers = {"WWW-Authenticate": 'Basic realm="Verify emulator"'}
            return _error(ApiError(401, AUTHENTICATE, "Authenticate", headers))
        if path == "/__emulator__/messages":
            if method != "GET":
                return _error(ApiError(405, METHOD_NOT_ALLOWED, "Method not allowed", {"Allow": "GET"}))
            return Reply(200, {"messages": self.store.messages(_form(query).get("to"), caller.scope)})
        if path == "/__emulator__/requests":
            if method == "GET":
                return Reply(200, {"requests": self.requests(caller.scope)})
            if method == "DELETE":
                self.clear_requests(caller.scope)
                return Reply(204)
            return _error(ApiError(405, METHOD_NOT_ALLOWED, "Method not allowed", {"Allow": "DELETE, GET"}))
        if path == "/__emulator__/clock":
            if method != "POST":
                return _error(ApiError(405, METHOD_NOT_ALLOWED, "Method not allowed", {"Allow": "POST"}))
            return self._move_clock(body, caller.admin)
        return _error(not_found(path))

    def _move_clock(self, body: str, admin: bool) -> Reply:
        try:
            seconds = float(_form(body).require("advance"))
            if not math.isfinite(seconds):
                raise ValueError(seconds)
        except (ValueError, ApiError):
            return _error(ApiError(400, INVALID_PARAMETER, "Invalid parameter: advance (seconds, a number)"))
        if seconds != 0 and not admin:
            # The clock is shared by every account: moving it is the admin's alone; reading it (0) is not.
            return _error(ApiError(403, FORBIDDEN, "Moving the clock needs the admin token"))
        try:
            self.clock.advance(seconds)
        except ValueError as error:
            return _error(ApiError(400, INVALID_PARAMETER, f"Invalid parameter: advance ({error})"))
        return Reply(200, {"now": iso(self.clock.now())})
