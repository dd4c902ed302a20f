"""VerifyClient: authenticated, pooled, retrying requests to the Verify v2 API, one call per operation."""

from __future__ import annotations

import base64
import builtins
import json
import logging
import threading
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri

from verifyctl import __version__
from verifyctl.client.base_url import is_loopback_host, resolve_base_url
from verifyctl.client.classify import Answer, Call, History, Next, Verdict, classify
from verifyctl.client.credentials import Credentials
from verifyctl.client.exchanges import REQUEST_ID_HEADER, Exchange, ExchangeRecorder
from verifyctl.client.failures import describe_transport_failure
from verifyctl.client.hints import Endpoint, with_hint
from verifyctl.client.limiter import CancelledError, ConcurrencyLimiter, Slot
from verifyctl.client.pace import Paces, Progress, Rate
from verifyctl.client.paging import PAGE_SIZE, check_next_page, next_page_url, page_identity, page_records
from verifyctl.client.retry import RETRYABLE_STATUSES, RetryPolicy
from verifyctl.client.secrets import mask_token_fields, mask_urls, scrub, secret_forms, value_forms
from verifyctl.client.stats import LimitPath, RequestStats
from verifyctl.errors import OutcomeUnknownError, TransportError

logger = logging.getLogger("verifyctl.client")

# High enough that the account, not the client, limits a run (10 was 5.6x slower than 64 for 2,000
# services at 100 ms); the adaptive limit keeps under whatever cap the account has.
DEFAULT_CEILING = 64
# Where the limit starts: a capped account costs one burst of refusals at most, and doubling per round
# trip reaches the ceiling in two (from 8, a 200-service plan spent a third of its reads getting there).
DEFAULT_START = 16
_FORM_TYPE = "application/x-www-form-urlencoded"


class _BasicAuth(AuthBase):
    """HTTP basic auth whose repr names nobody's secret."""

    def __init__(self, header: str) -> None:
        self._header = header

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return "<basic auth>"


class SharedConnections:
    """Keep-alive connections that several clients of one API host share (a fleet's members): each
    member's requests reuse the connections others opened, instead of a handshake per member. The
    credentials stay each client's own: they go in every request, never in the pool."""

    def __init__(self, size: int) -> None:
        self.size = size  # connections kept per host: the fleet's ceiling of requests in flight
        self._lock = threading.Lock()
        # The session of the first client's base URL, with what it works out once (see _configure).
        self._made: tuple[str, requests.Session, dict[str, Any], dict[str, str]] | None = None

    def session_for(
        self, client: VerifyClient
    ) -> tuple[requests.Session, dict[str, Any], dict[str, str]] | None:
        """The shared session when `client` talks to the host it was made for (None: another host)."""
        with self._lock:
            if self._made is None:
                session = requests.Session()
                client._configure(session, self.size)
                self._made = (client.base_url, session, client._send_options, client._headers)
            base_url, session, options, headers = self._made
            return (session, options, headers) if base_url == client.base_url else None

    def close(self) -> None:
        if self._made is not None:
            self._made[1].close()


class VerifyClient:
    """The Verify v2 API over one pooled session, safe to call from `parallelism` threads at once."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        parallelism: int = DEFAULT_CEILING,
        timeout: tuple[float, float] = (5, 30),
        retry: RetryPolicy | None = None,
        adaptive: bool = True,
        start_concurrency: int = DEFAULT_START,
        allow_http_hosts: Collection[str] = (),
        credential_names: str = "",
        rates: tuple[Rate, ...] = (),
        budget: threading.Semaphore | None = None,
        connections: SharedConnections | None = None,
    ) -> None:
        """`parallelism` is the most requests in flight at once (size caller thread pools to it).

        With `adaptive`, the limit starts at `start_concurrency` and adapts (docs/performance.md) up to
        `parallelism`; without, it stays at `parallelism`, which is how the client behaved before.
        `budget`: a limit shared with other clients (a fleet's members), taken once this client's own
        limit lets a request go, so that each account keeps its own adaptive limit under one ceiling.
        `connections`: keep-alive connections shared with those clients (closed by their owner).
        """
        if parallelism < 1:
            raise ValueError(f"parallelism must be at least 1, not {parallelism}")
        if len(timeout) != 2 or not all(t > 0 for t in timeout):
            raise ValueError(f"timeout must be (connect, read) seconds, both positive, not {timeout!r}")
        self.base_url = resolve_base_url(base_url, allow_http_hosts)
        self.account_sid = credentials.account_sid
        # Named in failure hints: where and as whom (an API key's username is its SK... SID).
        self._target = Endpoint(
            self.base_url,
            credentials.account_sid,
            credentials.username != credentials.account_sid,
            credential_names,
        )
        self._limiter = ConcurrencyLimiter(parallelism, start=start_concurrency, adaptive=adaptive)
        self._budget = budget
        self.stats = RequestStats(limit_path=self._limiter.path)
        self._exchanges = ExchangeRecorder()
        self._retry = retry if retry is not None else RetryPolicy()
        # Endpoints with a documented request rate (`rates`, from the kinds), on the retry's clock.
        self._paces = Paces(rates, clock=self._retry.clock)
        self._timeout = (float(timeout[0]), float(timeout[1]))
        token = base64.b64encode(f"{credentials.username}:{credentials.secret}".encode()).decode("ascii")
        # Every form in which the secret could surface in a message: raw, encoded, in the auth header.
        self._secrets = secret_forms(credentials.username, credentials.secret)
        self._auth = _BasicAuth(f"Basic {token}")
        self._send_options: dict[str, Any] = {}
        self._headers: dict[str, str] = {}
        shared = connections.session_for(self) if connections is not None else None
        self._owns_session = shared is None
        if shared is None:
            self._session = self._new_session(parallelism)
        else:
            self._session, self._send_options, self._headers = shared

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy: its clock and sleep also time the waits for racing writers."""
        return self._retry

    def also_scrub(self, values: Iterable[str]) -> None:
        """Scrub these values too (the files' `${secret:…}` values) from every message, in every form."""
        combined = set(self._secrets) | set(value_forms(values))
        self._secrets = tuple(sorted(combined, key=lambda f: (-len(f), f)))

    def _new_session(self, parallelism: int) -> requests.Session:
        session = requests.Session()
        self._configure(session, parallelism)
        return session

    def _configure(self, session: requests.Session, parallelism: int) -> None:
        # Our own retry loop decides what is safe to retry, so urllib3 must not retry behind its back.
        adapter = HTTPAdapter(pool_connections=parallelism, pool_maxsize=parallelism, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.update({"User-Agent": f"verifyctl/{__version__}", "Accept": "application/json"})
        # No cookies: the API needs none, and a shared jar is state shared between threads.
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        # Environment proxies must not capture requests meant for a local emulator.
        session.trust_env = not is_loopback_host(urlsplit(self.base_url).hostname or "")
        # What Session.request works out on every call (the environment's proxies and CA bundle for the
        # base URL's host), worked out once: every request of a run goes to that one host.
        self._send_options = dict(session.merge_environment_settings(self.base_url, {}, None, None, None))
        self._headers = {str(name): str(value) for name, value in session.headers.items()}

    # -- public operations -------------------------------------------------------------------------

    def list(self, path: str, list_key: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Every record of a collection, following `meta.next_page_url` from page to page."""
        query = dict(params or {})
        query.setdefault("PageSize", PAGE_SIZE)
        url = first = f"{self._url(path)}?{urlencode(query)}"
        seen: set[str] | None = None
        records: list[dict[str, Any]] = []
        while True:
            response = self._request("GET", url, path, idempotent=True)
            payload = self._json_object(response, "GET", path)
            records.extend(page_records(payload, list_key, path))
            following = next_page_url(payload, url)
            if following is None:
                return records
            if seen is None:
                # Most lists are one page: the loop guard is built only once a second page exists.
                seen = {page_identity(first)}
            check_next_page(following, self.base_url, seen, path)
            url = following

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """One object."""
        url = self._url(path) + (f"?{urlencode(params)}" if params else "")
        response = self._request("GET", url, path, idempotent=True)
        return self._json_object(response, "GET", path)

    def create(self, path: str, form: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """POST to a collection; raises OutcomeUnknownError when it may or may not have taken effect."""
        url = self._url(path)
        response = self._request("POST", url, path, form=form, idempotent=False)
        try:
            return self._json_object(response, "POST", path)
        except TransportError as exc:
            raise OutcomeUnknownError(f"{exc}; the object may have been created") from None

    def update(self, path: str, form: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """POST to an instance (idempotent, so retried like a read)."""
        response = self._request("POST", self._url(path), path, form=form, idempotent=True)
        return self._json_object(response, "POST", path)

    def delete(self, path: str) -> None:
        """DELETE an instance; a 404 on a retry after an unknown outcome means the first one worked."""
        self._request("DELETE", self._url(path), path, idempotent=True, is_delete=True)

    def recording(self) -> AbstractContextManager[builtins.list[Exchange]]:
        """Inside, the writes this thread sends (each attempt) are listed with their request ids."""
        return self._exchanges.recording()

    def cancel(self) -> None:
        """Stop the run: requests waiting for a slot or a retry raise CancelledError at once.

        Requests already on the wire finish (or time out) on their own; nothing new is sent.
        """
        self._limiter.cancel()

    def paced(self, prefix: str, total: int) -> Progress | None:
        """How far `total` requests under a paced `prefix` (the Safe List's) have gone, and the time left."""
        return self._paces.progress(prefix, total)

    @property
    def cancelled(self) -> bool:
        return self._limiter.cancelled.is_set()

    @property
    def concurrency(self) -> LimitPath:
        """The adaptive limit's path so far (start, peak, low, final, ceiling, 429s)."""
        return self._limiter.path()

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> VerifyClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"VerifyClient(base_url={self.base_url!r}, account_sid={self.account_sid!r})"

    # -- internals ---------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if not path.startswith("/") or "://" in path or "?" in path or "#" in path:
            raise ValueError(f"an API path like '/v2/Services' is expected, not {path!r}")
        return f"{self.base_url}{path}"

    def _json_object(self, response: requests.Response, method: str, path: str) -> dict[str, Any]:
        try:
            # json.loads reads bytes as UTF-8/16/32 itself; Response.json would first guess a text encoding.
            body = json.loads(response.content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise TransportError(
                f"{method} {self.base_url}{path}: answered {response.status_code} without a JSON object"
            )
        return body

    def _request(
        self,
        method: str,
        url: str,
        path: str,
        *,
        form: Sequence[tuple[str, str]] | None = None,
        idempotent: bool,
        is_delete: bool = False,
    ) -> requests.Response:
        """Send until `classify` says done or final; it alone decides what is safe to send again."""
        body = self._encode(form) if form is not None else None
        call = Call(method, f"{method} {url.split('?', 1)[0]}", path, idempotent, is_delete)
        policy = self._retry
        history = History(started=policy.clock())
        while True:
            history.attempt += 1
            # Every attempt counts against a documented rate, a retry too; waited before taking a slot.
            delay = self._paces.delay(path)
            if delay > 0:
                logger.info(
                    "%s: waiting %.1f s for the endpoint's documented request rate", call.where, delay
                )
                self._wait(delay)
            slot = self._limiter.acquire(retry=history.attempt > 1)
            if self._budget is not None:
                self._budget.acquire()
            outcome: Answer | None = None
            decision: Verdict | None = None
            try:
                outcome = self._attempt(method, url, body, history.attempt)
                decision = classify(
                    outcome,
                    call,
                    history,
                    policy,
                    now=policy.clock(),
                    timeout=self._timeout,
                    secrets=self._secrets,
                )
            finally:
                # The slot goes back before any wait, so a Retry-After never holds up other requests.
                # Any answer but a 429 or 5xx shows the server took the load; a 20429 shows it did not.
                served = (
                    isinstance(outcome, requests.Response) and outcome.status_code not in RETRYABLE_STATUSES
                )
                throttled = decision is not None and decision.throttled
                if self._budget is not None:
                    self._budget.release()
                self._limiter.release(slot, succeeded=served, throttled=throttled)
            if decision.action is Next.DONE:
                assert isinstance(outcome, requests.Response)
                if outcome.status_code == 404:
                    logger.debug(
                        "%s: 404 after an unknown outcome: an earlier attempt deleted it", call.where
                    )
                return outcome
            if decision.action is Next.FINAL:
                assert decision.error is not None
                raise with_hint(decision.error, outcome, self._target, exhausted=decision.exhausted) from None
            logger.debug(
                "%s: retrying in %.2f s after attempt %d: %s",
                call.where,
                decision.wait,
                history.attempt,
                decision.error,
            )
            self.stats.record_retry()
            if decision.throttled:
                self._wait_to_retry(slot, decision.wait)
            else:
                self._wait(decision.wait)

    def _wait(self, seconds: float) -> None:
        sleep = self._retry.sleep
        if sleep is not None:
            sleep(seconds)
        elif self._limiter.cancelled.wait(seconds):
            raise CancelledError("not retried: the run was cancelled after another request failed")

    def _wait_to_retry(self, slot: Slot, seconds: float) -> None:
        # A concurrency 429 waits less once the limit is lowered under the level it met (docs/performance.md).
        if self._retry.sleep is None:
            self._limiter.wait_to_retry(slot, seconds)
        elif not self._limiter.lowered_since(slot):
            self._retry.sleep(seconds)

    @staticmethod
    def _encode(form: Sequence[tuple[str, str]]) -> str:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in form):
            raise TypeError("form items must be (str, str) pairs, as resources.codec.encode_form builds")
        # urlencode's output is pure ASCII, so len() is the byte count and http.client sends it as is.
        return urlencode(form)

    def _attempt(self, method: str, url: str, body: str | None, attempt: int) -> Answer:
        """One HTTP exchange, tallied and logged (method, path, status, time, attempt; never headers)."""
        sent = len(body) if body is not None else 0
        started = time.perf_counter()
        try:
            # A redirect is reported, not followed: a request meant for the account's API goes nowhere else.
            response = self._session.send(
                self._prepare(method, url, body),
                timeout=self._timeout,
                allow_redirects=False,
                **self._send_options,
            )
        except requests.RequestException as exc:
            ended = time.perf_counter()
            self.stats.record(method, started=started, ended=ended, sent=sent, received=0)
            if method != "GET":
                self._exchanges.note(method, None, None)
            if logger.isEnabledFor(logging.INFO):
                reason = describe_transport_failure(exc, self._timeout, self._secrets)
                self._log(method, url, reason, ended - started, attempt, body, None)
            return exc
        ended = time.perf_counter()
        self.stats.record(method, started=started, ended=ended, sent=sent, received=len(response.content))
        if method != "GET":
            self._exchanges.note(method, response.status_code, response.headers.get(REQUEST_ID_HEADER))
        # Checked here so that a run without -v does not build (and scrub) a line per request.
        if logger.isEnabledFor(logging.INFO):
            self._log(method, url, str(response.status_code), ended - started, attempt, body, response)
        return response

    def _prepare(self, method: str, url: str, body: str | None) -> requests.PreparedRequest:
        """The request `Session.prepare_request` would build, built directly; `Session.send` sends it.

        A plan reads a thousand lists at once; on 2 cores the general preparation (settings merged from
        four places, cookie jars, URL re-parsing) cost a fifth of the client's CPU per request. URLs here
        are already encoded: the base URL was checked when the client was made, paths come from the
        API's own ids, queries from urlencode, and next pages from check_next_page. No cookie is kept.
        The session's headers, auth and hooks are the ones applied.
        """
        prepared = requests.PreparedRequest()
        prepared.method = method
        prepared.url = requote_uri(url)
        prepared.headers = CaseInsensitiveDict(self._headers)
        if body is not None:
            prepared.headers["Content-Type"] = _FORM_TYPE
        if body is not None or method not in ("GET", "HEAD"):
            # As requests does: a DELETE says it has no body (urlencode's output is ASCII: len is bytes).
            prepared.headers["Content-Length"] = str(len(body or ""))
        prepared.body = body
        prepared.hooks = {event: list(hooks) for event, hooks in self._session.hooks.items()}
        # The session's jar (it keeps none), where Session.send looks for it when a redirect comes back.
        prepared._cookies = self._session.cookies  # type: ignore[attr-defined]
        self._auth(prepared)
        return prepared

    def _log(
        self,
        method: str,
        url: str,
        outcome: str,
        seconds: float,
        attempt: int,
        body: str | None,
        response: requests.Response | None,
    ) -> None:
        """-v: one INFO line per request; -vv: a DEBUG line with both bodies. Secrets masked in all."""
        target = scrub(url.removeprefix(self.base_url) or "/", self._secrets)
        ms = round(seconds * 1000)
        fields = {"method": method, "path": target, "status": outcome, "ms": ms, "attempt": attempt}
        # "attempt 2" and later are retries of the same call.
        logger.info("%s %s -> %s in %d ms (attempt %d)", method, target, outcome, ms, attempt, extra=fields)
        if logger.isEnabledFor(logging.DEBUG):
            sent = mask_urls(scrub(body, self._secrets)) if body else "-"
            shown = _shown_body(response) if response is not None else ""
            received = (
                mask_token_fields(mask_urls(scrub(shown, self._secrets))) if response is not None else "-"
            )
            logger.debug("%s %s: sent %s; received %s", method, target, sent, received, extra=fields)


# Enough of a body to see what went wrong; a page of a thousand items is not worth a terminal's scroll.
_BODY_SHOWN = 2000


def _shown_body(response: requests.Response) -> str:
    # Secret fields are masked before the cut, which could leave half a field unrecognisable.
    content = response.content
    if b"auth_token" in content:
        text = mask_token_fields(content.decode("utf-8", "replace"))
        return text[:_BODY_SHOWN] + ("…" if len(text) > _BODY_SHOWN else "")
    text = content[:_BODY_SHOWN].decode("utf-8", "replace")
    return text + ("…" if len(content) > _BODY_SHOWN else "")
