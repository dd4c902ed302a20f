"""One decision per attempt: done, retry after a wait, final error, or outcome unknown."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import requests

from verifyctl.client.failures import (
    api_error_from_response,
    certainly_not_sent,
    describe_transport_failure,
    is_dns_failure,
    is_tls_failure,
)
from verifyctl.client.retry import FINAL_429_CODES, RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from verifyctl.errors import ApiError, OutcomeUnknownError, TransportError, VerifyctlError

# Twilio's per-account concurrency limit answers 429 with this code; the limiter shrinks on it.
CONCURRENCY_LIMIT_CODE = 20429

Answer = requests.Response | requests.RequestException


class Next(enum.Enum):
    """What the retry loop does next."""

    DONE = "done"  # hand the response back
    RETRY = "retry"  # wait `Verdict.wait`, then send again
    FINAL = "final"  # raise `Verdict.error`


@dataclass(frozen=True)
class Call:
    """One logical request, as the classifier needs to know it."""

    method: str
    where: str  # "GET https://host/v2/Services", for messages
    path: str
    idempotent: bool
    is_delete: bool = False


@dataclass
class History:
    """What earlier attempts of this call did; updated by `classify`."""

    started: float
    attempt: int = 0
    may_have_taken_effect: bool = False


@dataclass(frozen=True)
class Verdict:
    """The verdict on one attempt."""

    action: Next
    error: VerifyctlError | None = None
    wait: float = 0.0
    # A concurrency 429 (20429): the adaptive limit should shrink.
    throttled: bool = False
    # FINAL because the attempts or the time ran out (not because the error is final in itself).
    exhausted: bool = False


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def gave_up(failure: VerifyctlError, attempts: int, elapsed: float, where: str) -> VerifyctlError:
    """The last failure, prefixed with how long the client tried."""
    tried = f"gave up after {_plural(attempts, 'attempt')} over {elapsed:.1f} s"
    if isinstance(failure, ApiError):
        return ApiError(
            status=failure.status,
            code=failure.code,
            # Which request gave up, as transport failures say: the URL names the account's API.
            message=f"{where}: {tried}: {failure.api_message}",
            more_info=failure.more_info,
            method=failure.method,
            path=failure.path,
        )
    return TransportError(f"{where}: {tried}: {failure.message.removeprefix(where + ': ')}")


def classify(
    outcome: Answer,
    call: Call,
    history: History,
    policy: RetryPolicy,
    *,
    now: float,
    timeout: tuple[float, float],
    secrets: Sequence[str],
) -> Verdict:
    """Decide what attempt `history.attempt` of `call` leads to.

    The one strict rule: a non-idempotent request that may have reached the server is never sent
    again (OutcomeUnknownError), and a DELETE answered 404 after an earlier attempt may have taken
    effect counts as done. urllib3's Retry cannot say this (it knows methods, not our calls, and has
    no "404 means done" nor an error that names the unknown outcome), so the rule lives here.
    """
    where = call.where
    retry_after: float | None = None
    throttled = False
    failure: VerifyctlError
    if isinstance(outcome, requests.RequestException):
        reason = describe_transport_failure(outcome, timeout, secrets)
        sent = not certainly_not_sent(outcome)
        if sent and not call.idempotent:
            return Verdict(
                Next.FINAL,
                OutcomeUnknownError(
                    f"{where}: outcome unknown (the request was sent, then {reason}); "
                    "look the object up before trying again"
                ),
            )
        failure = TransportError(f"{where}: {reason}")
        # No wait cures a bad certificate or a host name that does not resolve.
        if is_tls_failure(outcome) or is_dns_failure(outcome):
            return Verdict(Next.FINAL, failure)
        history.may_have_taken_effect = history.may_have_taken_effect or sent
    else:
        status = outcome.status_code
        if status < 300:
            return Verdict(Next.DONE)
        if status == 404 and call.is_delete and history.may_have_taken_effect:
            return Verdict(Next.DONE)
        error = api_error_from_response(outcome, call.method, call.path, secrets)
        if status not in RETRYABLE_STATUSES or (status == 429 and error.code in FINAL_429_CODES):
            return Verdict(Next.FINAL, error)
        if status == 429:
            throttled = error.code == CONCURRENCY_LIMIT_CODE
        else:
            if not call.idempotent:
                return Verdict(
                    Next.FINAL,
                    OutcomeUnknownError(
                        f"{where}: outcome unknown (the request was sent, then answered {status}: "
                        f"{error}); look the object up before trying again"
                    ),
                )
            history.may_have_taken_effect = True
        retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
        failure = error
    delay = policy.delay(history.attempt, retry_after, throttled=throttled)
    elapsed = now - history.started
    attempts = policy.max_throttled_attempts if throttled else policy.max_attempts
    if history.attempt >= attempts or elapsed + delay > policy.max_total_seconds:
        last = gave_up(failure, history.attempt, elapsed, where)
        return Verdict(Next.FINAL, last, throttled=throttled, exhausted=True)
    return Verdict(Next.RETRY, failure, wait=delay, throttled=throttled)
