"""The audit report of one apply: who, when, which account and plan, and what became of each change."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from verifyctl import __version__
from verifyctl.apply.executor import NOT_STARTED, ApplyResult, Outcome
from verifyctl.client.secrets import mask_urls, scrub, value_forms
from verifyctl.errors import ApiError
from verifyctl.plan.model import Change, Plan, mask_sid

REPORT_VERSION = 1
# What the run as a whole came to (docs/plans-and-apply.md#the-apply-report).
APPLIED, NO_CHANGES, INCOMPLETE, REFUSED, INTERRUPTED, FAILED = (
    "applied",
    "no_changes",
    "incomplete",
    "refused",
    "interrupted",
    "failed",
)
# What became of one change.
_RESULTS = {"applied": "applied", "failed": "failed", "skipped": "skipped", NOT_STARTED: "not_started"}


@dataclass(frozen=True)
class RunBy:
    """Who ran apply: a CI actor and the run's URL, or the local user; None where unknown."""

    source: str  # "github-actions" or "local"
    actor: str | None = None
    run_url: str | None = None


@dataclass
class ApplyRecord:
    """What one apply knew by its end; any part may be missing when it stopped early."""

    run_by: RunBy
    started: datetime
    ended: datetime | None = None
    plan: Plan | None = None
    result: ApplyResult | None = None
    # The account when no plan was made: (SID, API URL), and the environment named.
    account: tuple[str, str] | None = None
    environment: str = ""
    # `apply --plan FILE`: the file as given and the sha256 of its bytes.
    saved_plan: tuple[str, str] | None = None
    exit_code: int = 0
    # Why the run ended as it did ("" when every change was applied).
    reason: str = ""
    interrupted: bool = False
    secrets: frozenset[str] = field(default=frozenset(), repr=False)


def iso_utc(moment: datetime) -> str:
    """`2026-12-07T00:12:03.250Z`: UTC, milliseconds."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plan_sha256(plan: Plan) -> str:
    """A digest of the plan's canonical JSON (what `plan --out` saves): the same plan, the same digest."""
    return "sha256:" + hashlib.sha256(plan.to_json().encode("utf-8")).hexdigest()


def build_report(record: ApplyRecord) -> dict[str, Any]:
    """The report as plain JSON values; every text that came from the API or an error is scrubbed."""
    plan = record.plan
    secrets = value_forms(record.secrets | (plan.secrets if plan is not None else frozenset()))

    def clean(text: str) -> str:
        return mask_urls(scrub(text, secrets))

    changes = _changes(plan, record.result, record.reason, clean) if plan is not None else []
    counts = {name: 0 for name in ("applied", "failed", "skipped", "not_started", "deleted_with")}
    for change in changes:
        counts[change["result"]] += 1
    sid, api_url = (plan.account_sid, plan.api_url) if plan is not None else (record.account or ("", ""))
    return {
        "report_version": REPORT_VERSION,
        "verifyctl_version": __version__,
        "outcome": _outcome(record, counts),
        "exit_code": record.exit_code,
        "reason": clean(record.reason) or None,
        "run_by": {
            "source": record.run_by.source,
            "actor": record.run_by.actor,
            "run_url": record.run_by.run_url,
        },
        "started_at": iso_utc(record.started),
        "ended_at": iso_utc(record.ended or record.started),
        "environment": (plan.environment if plan is not None else record.environment) or None,
        "account": {
            "sid": mask_sid(sid) if sid else None,
            "friendly_name": (plan.account_name or None) if plan is not None else None,
            "api_url": clean(api_url) or None,
        },
        "configuration": {"sha256": plan.configuration, "files": list(plan.files)}
        if plan is not None
        else None,
        "plan": (
            {"sha256": plan_sha256(plan), "live_fingerprint": plan.fingerprint or None}
            if plan is not None
            else None
        ),
        "saved_plan": (
            {"file": clean(record.saved_plan[0]), "sha256": record.saved_plan[1]}
            if record.saved_plan is not None
            else None
        ),
        "summary": counts,
        "changes": changes,
    }


def _outcome(record: ApplyRecord, counts: Mapping[str, int]) -> str:
    if record.interrupted:
        return INTERRUPTED
    if record.exit_code == 0:
        return APPLIED if record.plan is not None and record.plan.has_changes else NO_CHANGES
    if record.exit_code == 3:
        return REFUSED
    return INCOMPLETE if record.result is not None else FAILED


def _changes(
    plan: Plan, result: ApplyResult | None, reason: str, clean: Callable[[str], str]
) -> list[dict[str, Any]]:
    """One entry per change of the plan, in its order: the last word on it, and every write sent for it."""
    by_address: dict[object, list[Outcome]] = {}
    for outcome in result.outcomes if result is not None else ():
        by_address.setdefault(outcome.change.address, []).append(outcome)
    held_back = "held back: " + reason if reason else "held back"
    return [_entry(change, by_address.get(change.address, ()), held_back, clean) for change in plan.changes]


def _entry(
    change: Change, outcomes: Sequence[Outcome], held_back: str, clean: Callable[[str], str]
) -> dict[str, Any]:
    last = outcomes[-1] if outcomes else None
    requests = [request for outcome in outcomes for request in outcome.requests]
    answered = [request for request in requests if request.status is not None]
    if last is None:
        result, detail = "not_started", held_back
    elif last.status == "applied" and change.deleted_with is not None:
        result, detail = "deleted_with", last.detail
    else:
        result, detail = _RESULTS[last.status], last.detail
    sids = [outcome.sid for outcome in outcomes if outcome.sid]
    return {
        "address": clean(str(change.address)),
        "kind": change.kind.name,
        "action": change.action.value,
        "sid": sids[-1] if sids else change.id,
        "result": result,
        "detail": clean(detail) or None,
        "deleted_with": clean(str(change.deleted_with)) if change.deleted_with is not None else None,
        "request_id": next((r.request_id for r in reversed(answered) if r.request_id), None),
        "http_status": answered[-1].status if answered else None,
        "duration_ms": round(sum(o.seconds for o in outcomes) * 1000) if requests else None,
        "error": _error(last, clean) if last is not None and last.status == "failed" else None,
        "requests": [
            {"method": r.method, "http_status": r.status, "request_id": r.request_id} for r in requests
        ],
    }


def _error(outcome: Outcome, clean: Callable[[str], str]) -> dict[str, Any]:
    """Twilio's code and message when the API refused the change; else what went wrong, in words."""
    error = outcome.error
    if isinstance(error, ApiError):
        return {"http_status": error.status, "code": error.code, "message": clean(error.api_message)}
    return {"http_status": None, "code": None, "message": clean(str(error) if error else outcome.detail)}
