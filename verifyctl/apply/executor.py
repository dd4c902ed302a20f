"""Run a plan's changes in dependency waves, in parallel within a wave; a failure skips its dependents."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from verifyctl.apply.safelist import apply_safe_list
from verifyctl.client.limiter import CancelledError
from verifyctl.errors import ApiError, OutcomeUnknownError, VerifyctlError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.resources.addresses import Address, UnresolvedParent
from verifyctl.resources.codec import encode_form
from verifyctl.resources.kinds import SAFE_LIST

FormItems = list[tuple[str, str]]
# Why a change was not started: the run stops at the first failure, as Terraform stops walking the graph.
STOPPED = "not started: the run stopped after a change failed"
# How often a create whose outcome was unknown, and which a re-read showed had not happened, is sent again.
CREATE_ATTEMPTS = 3
# The status of a change the run never sent because it was asked to stop first.
NOT_STARTED = "not started"


class WriteClient(Protocol):
    """What the executor needs of the HTTP client."""

    def list(
        self, path: str, list_key: str, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]: ...
    def create(self, path: str, form: FormItems) -> dict[str, Any]: ...
    def update(self, path: str, form: FormItems) -> dict[str, Any]: ...
    def delete(self, path: str) -> None: ...


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: str  # applied | failed | skipped | not started (the run was interrupted first)
    detail: str = ""
    seconds: float = 0.0


@dataclass
class ApplyResult:
    outcomes: list[Outcome] = field(default_factory=list)

    def _with(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def applied(self) -> list[Outcome]:
        return self._with("applied")

    @property
    def failed(self) -> list[Outcome]:
        return self._with("failed")

    @property
    def skipped(self) -> list[Outcome]:
        return self._with("skipped")

    @property
    def not_started(self) -> list[Outcome]:
        return self._with(NOT_STARTED)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped and not self.not_started


def waves(plan: Plan) -> list[list[Change]]:
    """Group changes so that each runs after the create or replace of the parent it needs.

    Children deleted with a parent are left out: the API removes them with it, so no request is theirs.
    """
    requests = [change for change in plan.changes if change.deleted_with is None]
    by_address = {change.address: change for change in requests}
    depth: dict[Address, int] = {}

    def depth_of(change: Change) -> int:
        if change.address not in depth:
            parent = by_address.get(change.parent) if change.parent else None
            needs_parent = parent is not None and parent.action in (Action.CREATE, Action.REPLACE)
            depth[change.address] = depth_of(parent) + 1 if needs_parent and parent is not None else 0
        return depth[change.address]

    grouped: dict[int, list[Change]] = {}
    for change in requests:
        grouped.setdefault(depth_of(change), []).append(change)
    return [grouped[level] for level in sorted(grouped)]


class Executor:
    """Applies one plan against one client on the given pool; `progress` hears of each finished change."""

    def __init__(
        self,
        client: WriteClient,
        pool: ThreadPoolExecutor,
        *,
        progress: Callable[[Outcome], None] = lambda outcome: None,
        stop: threading.Event | None = None,
        on_failure: Callable[[], None] = lambda: None,
    ) -> None:
        """`on_failure` runs at the first failure: it should make queued requests fail (client.cancel)."""
        self._client = client
        self._pool = pool
        self._progress = progress
        # Set (by an interrupt) to send nothing more; changes already sent run to their end, so an
        # unknown create outcome is still looked up rather than left behind unreported.
        self._stop = stop if stop is not None else threading.Event()
        self._on_failure = on_failure
        # Set at the first failure: the run stops, as Terraform stops walking the graph.
        self._stopped = threading.Event()
        self._lock = threading.Lock()

    def run(self, plan: Plan) -> ApplyResult:
        ids = dict(plan.ids)
        result = ApplyResult()
        broken: set[Address] = set()
        for wave in waves(plan):
            runnable = []
            for change in wave:
                if self._stop.is_set():
                    self._report(result, Outcome(change, NOT_STARTED, "the run was interrupted first"))
                    continue
                if any(b.covers(change.address) for b in broken):
                    reason = "a change it depends on failed"
                elif self._stopped.is_set():
                    reason = STOPPED
                else:
                    runnable.append(change)
                    continue
                self._report(result, Outcome(change, "skipped", reason))
                broken.add(change.address)
            for outcome in self._pool.map(lambda c: self._apply_one(c, ids), runnable):
                self._report(result, outcome)
                # Only a missing create or replace leaves children without a parent to live in.
                creates = (Action.CREATE, Action.REPLACE)
                if outcome.status != "applied" and outcome.change.action in creates:
                    broken.add(outcome.change.address)
        self._report_cascades(plan, result)
        return result

    def _report_cascades(self, plan: Plan, result: ApplyResult) -> None:
        """Children deleted with a parent: gone when the parent's delete or replace was applied."""
        removed: set[Address] = {
            o.change.address
            for o in result.outcomes
            if o.status == "applied" and o.change.action in (Action.DELETE, Action.REPLACE)
        }
        for change in plan.changes:
            if change.deleted_with is None:
                continue
            if change.deleted_with in removed:
                self._report(result, Outcome(change, "applied", f"deleted with {change.deleted_with}"))
            elif self._stop.is_set():
                self._report(result, Outcome(change, NOT_STARTED, f"{change.deleted_with} was not deleted"))
            else:
                self._report(result, Outcome(change, "skipped", f"{change.deleted_with} was not deleted"))

    def _report(self, result: ApplyResult, outcome: Outcome) -> None:
        with self._lock:
            result.outcomes.append(outcome)
        self._progress(outcome)

    def _apply_one(self, change: Change, ids: dict[Address, str]) -> Outcome:
        # Checked as each change is about to start, so at most the changes in flight end after a stop.
        if self._stop.is_set():
            return Outcome(change, NOT_STARTED, "the run was interrupted before it was sent")
        started = time.monotonic()
        try:
            detail = self._dispatch(change, ids)
        except UnresolvedParent as missing:
            return Outcome(change, "skipped", f"the id of {missing} is unknown", time.monotonic() - started)
        except CancelledError:
            # Raised before this change's (first) request was sent: an interrupt, or another change
            # failed meanwhile.
            if self._stop.is_set():
                return Outcome(change, NOT_STARTED, "the run was interrupted before it was sent")
            return Outcome(change, "skipped", STOPPED, time.monotonic() - started)
        except VerifyctlError as error:
            # Stop at once: requests queued behind this one are not sent; those on the wire finish.
            self._stopped.set()
            self._on_failure()
            return Outcome(change, "failed", str(error), time.monotonic() - started)
        return Outcome(change, "applied", detail, time.monotonic() - started)

    def _dispatch(self, change: Change, ids: dict[Address, str]) -> str:
        if change.kind is SAFE_LIST:
            # No parent, no list endpoint, no update: its own module (the client paces its requests).
            return apply_safe_list(self._client, change)
        if change.action is Action.UPDATE:
            assert change.id is not None and change.after is not None
            form = encode_form(change.kind, change.after, only=change.changed_fields)
            self._client.update(change.address.instance_path(change.id, ids), form)
            return "updated"
        if change.action is Action.DELETE:
            assert change.id is not None
            self._delete(change, change.id, ids)
            return "deleted"
        if change.action is Action.REPLACE:
            assert change.id is not None
            self._delete(change, change.id, ids)
            try:
                new_id = self._create(change, ids)
            except CancelledError as cancelled:
                # Half done is a failure to report, not a change that never started.
                raise VerifyctlError(f"deleted, but not created again: {cancelled}") from None
        else:
            new_id = self._create(change, ids)
        with self._lock:
            ids[change.address] = new_id
        return ("replaced" if change.action is Action.REPLACE else "created") + f" {new_id}"

    def _delete(self, change: Change, object_id: str, ids: dict[Address, str]) -> None:
        try:
            self._client.delete(change.address.instance_path(object_id, ids))
        except ApiError as error:
            if error.status != 404:  # already gone is what a delete wants
                raise

    def _create(self, change: Change, ids: dict[Address, str]) -> str:
        """Create, never twice: after an unknown outcome, look the object up by identity before resending."""
        kind = change.kind
        assert change.after is not None
        path = change.address.collection_path(ids)
        form = encode_form(kind, change.after)
        wanted = kind.identity_of(change.after[kind.identity])
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                return str(self._client.create(path, form)[kind.id_key])
            except OutcomeUnknownError as unknown:
                try:
                    listed = self._client.list(path, kind.list_key)
                except CancelledError:
                    raise unknown from None  # the create may have happened: a failure, not a skip
                for item in listed:
                    if kind.identity_of(item.get(kind.identity)) == wanted:
                        return str(item[kind.id_key])
                if attempt == CREATE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")
