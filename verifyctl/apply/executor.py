"""Run a plan's changes in dependency waves, in parallel within a wave; a failure skips its dependents."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from verifyctl.apply.confirm import Confirmer, Created
from verifyctl.apply.readback import Difference, read_back
from verifyctl.apply.safelist import apply_safe_list
from verifyctl.client.limiter import CancelledError
from verifyctl.client.retry import RETRYABLE_STATUSES, RetryPolicy
from verifyctl.errors import (
    AccountMismatchError,
    ApiError,
    OutcomeUnknownError,
    TransportError,
    VerifyctlError,
    WriteRefusedError,
)
from verifyctl.plan.model import Action, Change, Plan, mask_sid
from verifyctl.resources.addresses import Address, UnresolvedParent
from verifyctl.resources.codec import FormItems, encode_form

# Why a change was not started: a failure that every other request would meet stopped the run.
STOPPED = "not started: the run stopped after a failure that concerns the whole account"
# Statuses that say the account, not one change, is in trouble: its credentials or their permissions.
ACCOUNT_STATUSES = frozenset({401, 403})
# How often a create whose outcome was unknown, and which a re-read showed had not happened, is sent again.
CREATE_ATTEMPTS = 3
# Rounds of the last check: a late loser's children, created again under the survivor, are checked too.
SETTLE_ROUNDS = 3
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
    # The API refused a value (400): the configuration needs fixing, a rerun as is fails the same way.
    refused: bool = False
    # Why it failed, when it did.
    error: VerifyctlError | None = None
    # What the write's answer holds otherwise than sent (apply/readback.py); None when not read back
    # (deletes, and objects another writer created, which this run did not write).
    read_back: tuple[Difference, ...] | None = None


@dataclass
class ApplyResult:
    outcomes: list[Outcome] = field(default_factory=list)
    # What apply settled with another writer on the way (a namesake created meanwhile, and which is kept).
    warnings: list[str] = field(default_factory=list)

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

    @property
    def read_back(self) -> list[Outcome]:
        """The applied changes whose write was read back, each once (the last, for one created again)."""
        last = {o.change.address: o for o in self.applied if o.read_back is not None}
        return list(last.values())

    @property
    def stored_differently(self) -> list[Difference]:
        """Every value the API stored otherwise than sent, in the order the changes ended."""
        return [difference for o in self.read_back for difference in o.read_back or ()]

    @property
    def refused_write(self) -> WriteRefusedError | None:
        """The first write refused because the key may only read, if one was."""
        for outcome in self.failed:
            if isinstance(outcome.error, WriteRefusedError):
                return outcome.error
        return None


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
        timing: RetryPolicy | None = None,
        sole_writer: bool = False,
        owner: str = "",
    ) -> None:
        """`on_failure` runs at the first account-wide failure: it should make queued requests fail
        (client.cancel). `timing` gives the clock and sleep of the waits for racing writers; a
        `sole_writer` (no other writer can reach the account) confirms nothing; an `owner` is the
        account the creates must prove they were made in (AccountMismatchError stops the run)."""
        self._client = client
        self._pool = pool
        self._progress = progress
        # Set (by an interrupt) to send nothing more; changes already sent run to their end, so an
        # unknown create outcome is still looked up rather than left behind unreported.
        self._stop = stop if stop is not None else threading.Event()
        self._on_failure = on_failure
        # Set at the first account-wide failure: every other request would fail the same way.
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._warnings: list[str] = []
        # Ids this run found rather than created (maybe another writer's): confirming never deletes them.
        self._adopted: set[str] = set()
        # Whether a write of this run has had its answer: the first goes alone (see _apply_wave).
        self._wrote = False
        self._confirmer = Confirmer(client, pool, self._warn, timing)
        self._sole_writer = sole_writer
        self._owner = owner

    def _mark_adopted(self, object_id: str) -> None:
        with self._lock:
            self._adopted.add(object_id)

    @property
    def _halted(self) -> bool:
        return self._stop.is_set() or self._stopped.is_set()

    def _warn(self, message: str) -> None:
        with self._lock:
            self._warnings.append(message)

    def run(self, plan: Plan) -> ApplyResult:
        ids = dict(plan.ids)
        result = ApplyResult(warnings=self._warnings)
        broken: set[Address] = set()
        # This run's creates of kinds two writers may both create, confirmed after each wave.
        own: list[Created] = []
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
            outcomes = self._apply_wave(runnable, ids)
            for outcome in outcomes:
                self._report(result, outcome)
                # Only a missing create or replace leaves children without a parent to live in.
                creates = (Action.CREATE, Action.REPLACE)
                if outcome.status != "applied" and outcome.change.action in creates:
                    broken.add(outcome.change.address)
            # After a stop (an interrupt, or an account-wide failure) nothing more is sent, confirming
            # reads included: the run exits non-zero, and a rerun's plan resolves any duplicate left.
            if not self._halted and not self._sole_writer:
                own.extend(self._confirm(outcomes, ids, result, broken))
        if not self._halted:
            self._settle(plan, own, ids, result)
        self._report_cascades(plan, result)
        return result

    def _apply_wave(self, runnable: list[Change], ids: dict[Address, str]) -> list[Outcome]:
        """The wave's changes in parallel; the run's first write goes alone, and when the key may only
        read, its refusal ends the run at once (WriteRefusedError): nothing else was sent."""
        if self._wrote or not runnable:
            return list(self._pool.map(lambda c: self._apply_one(c, ids), runnable))
        first = self._apply_one(runnable[0], ids)
        self._wrote = True
        if isinstance(first.error, WriteRefusedError):
            raise first.error.ending("nothing was written")
        return [first, *self._pool.map(lambda c: self._apply_one(c, ids), runnable[1:])]

    def _confirm(
        self, outcomes: list[Outcome], ids: dict[Address, str], result: ApplyResult, broken: set[Address]
    ) -> list[Created]:
        """One list per collection a wave created in: another writer's namesake makes ours give way."""
        now = self._confirmer.now()
        created = [
            Created(o.change, ids[o.change.address], o.change.address.collection_path(ids), now)
            for o in outcomes
            if o.status == "applied"
            and o.change.action in (Action.CREATE, Action.REPLACE)
            and o.change.kind.duplicable
            and o.change.address in ids
            and ids[o.change.address] not in self._adopted
        ]
        # A leaf (webhook) has no children to place: the last check alone settles it, one read fewer.
        parents = [item for item in created if item.change.kind.children]
        if not parents:
            return created
        try:
            lost = self._confirmer.confirm(parents, ids)
        except VerifyctlError as error:
            # Unconfirmed objects may be duplicates: their children wait for a rerun.
            for item in parents:
                self._report(result, Outcome(item.change, "failed", f"could not confirm it: {error}"))
                broken.add(item.change.address)
            return [item for item in created if not item.change.kind.children]
        return [item for item in created if item.change.address not in lost]

    def _settle(self, plan: Plan, own: list[Created], ids: dict[Address, str], result: ApplyResult) -> None:
        """The last check of this run's creates; a late loser's children are created again under the
        survivor (creates of an identity that exists there are adopted, or settled in the next round)."""
        pending = own
        for _ in range(SETTLE_ROUNDS):
            if not pending:
                return
            try:
                unsettled = self._confirmer.settle(pending, ids)
            except VerifyctlError as error:
                for item in pending:
                    self._report(result, Outcome(item.change, "failed", f"could not confirm it: {error}"))
                return
            pending = []
            for entry in unsettled:
                if entry.root is not None:
                    pending.extend(self._rehome(plan, entry.root, ids, result))
                else:
                    self._report(result, Outcome(entry.created.change, "failed", entry.detail))
        for item in pending:
            detail = "another writer kept creating copies of it; run plan to resolve them"
            self._report(result, Outcome(item.change, "failed", detail))

    def _rehome(
        self, plan: Plan, root: Address, ids: dict[Address, str], result: ApplyResult
    ) -> list[Created]:
        """Create again, under the survivor now at `root` in `ids`, what this run created under its copy."""
        subtree = [
            c
            for c in plan.changes
            if c.deleted_with is None
            and c.action is Action.CREATE
            and c.address != root
            and root.covers(c.address)
        ]
        created: list[Created] = []
        for wave in waves(Plan(changes=tuple(subtree))):
            outcomes = list(self._pool.map(lambda c: self._apply_one(c, ids), wave))
            for outcome in outcomes:
                if outcome.status != "applied":
                    detail = f"while creating it again under the kept {root}: {outcome.detail}"
                    self._report(result, Outcome(outcome.change, "failed", detail))
            created.extend(self._confirm(outcomes, ids, result, set()))
        return created

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
            detail, answer = self._dispatch(change, ids)
        except UnresolvedParent as missing:
            return Outcome(change, "skipped", f"the id of {missing} is unknown", time.monotonic() - started)
        except AccountMismatchError:
            # Created in another account: nothing more is sent there.
            self._stopped.set()
            self._on_failure()
            raise
        except CancelledError:
            # Raised before this change's (first) request was sent: an interrupt, or another change
            # failed meanwhile.
            if self._stop.is_set():
                return Outcome(change, NOT_STARTED, "the run was interrupted before it was sent")
            return Outcome(change, "skipped", STOPPED, time.monotonic() - started)
        except VerifyctlError as error:
            if concerns_the_account(error):
                # Stop at once: requests queued behind this one are not sent; those on the wire finish.
                self._stopped.set()
                self._on_failure()
            refused = isinstance(error, ApiError) and error.status == 400
            return Outcome(change, "failed", str(error), time.monotonic() - started, refused, error)
        checked = read_back(change, answer) if answer is not None else None
        return Outcome(change, "applied", detail, time.monotonic() - started, read_back=checked)

    def _dispatch(self, change: Change, ids: dict[Address, str]) -> tuple[str, Mapping[str, Any] | None]:
        """The change's requests; what to show of it, and the API's answer to its write (None when
        there is none of this run's to read back: a delete, an object another writer created)."""
        if not change.kind.listable:
            # Nothing to look an unknown create up in: its own module, whose requests are idempotent.
            return apply_safe_list(self._client, change)
        if change.action is Action.UPDATE:
            assert change.id is not None and change.after is not None
            form = encode_form(change.kind, change.after, only=change.changed_fields)
            return "updated", self._client.update(change.address.instance_path(change.id, ids), form)
        if change.action is Action.DELETE:
            assert change.id is not None
            self._delete(change, change.id, ids)
            return "deleted", None
        if change.action is Action.REPLACE:
            assert change.id is not None
            self._delete(change, change.id, ids)
            try:
                new_id, answer = self._create(change, ids)
            except CancelledError as cancelled:
                # Half done is a failure to report, not a change that never started.
                raise VerifyctlError(f"deleted, but not created again: {cancelled}") from None
        else:
            new_id, answer = self._create(change, ids)
        with self._lock:
            ids[change.address] = new_id
        return ("replaced" if change.action is Action.REPLACE else "created") + f" {new_id}", answer

    def _delete(self, change: Change, object_id: str, ids: dict[Address, str]) -> None:
        try:
            self._client.delete(change.address.instance_path(object_id, ids))
        except ApiError as error:
            if error.status != 404:  # already gone is what a delete wants
                raise

    def _create(self, change: Change, ids: dict[Address, str]) -> tuple[str, Mapping[str, Any] | None]:
        """Create, never twice: after an unknown outcome, look the object up by identity before resending.
        The id, and the create's answer (None for an object found rather than created by this request)."""
        kind = change.kind
        assert change.after is not None
        path = change.address.collection_path(ids)
        form = encode_form(kind, change.after)
        wanted = kind.identity_of(change.after[kind.identity])
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                created = self._client.create(path, form)
                self._prove_owner(change, created)
                return str(created[kind.id_key]), created
            except ApiError as error:
                # The parent was a racing writer's duplicate, deleted since the plan read it: carry on
                # under the survivor of its identity.
                if error.status == 404 and change.parent is not None and attempt < CREATE_ATTEMPTS:
                    # A sibling may have relocated the parent meanwhile: then the path has changed.
                    moved = self._confirmer.relocate(change.parent, ids)
                    if moved or change.address.collection_path(ids) != path:
                        path = change.address.collection_path(ids)
                        continue
                    raise
                # A racing writer created this identity first and the API keeps it unique: carry on with it.
                if error.status != 400 or error.code is None or error.code != kind.already_exists:
                    raise
                adopted = self._confirmer.adopt(change, path, ids)
                if adopted is None:
                    raise
                self._mark_adopted(adopted)
                return adopted, None
            except OutcomeUnknownError as unknown:
                try:
                    listed = self._client.list(path, kind.list_key)
                except CancelledError:
                    raise unknown from None  # the create may have happened: a failure, not a skip
                for item in listed:
                    if kind.identity_of(item.get(kind.identity)) == wanted:
                        # Perhaps another writer's: never deleted as this run's duplicate.
                        self._mark_adopted(str(item[kind.id_key]))
                        return str(item[kind.id_key]), None
                if attempt == CREATE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _prove_owner(self, change: Change, created: Mapping[str, Any]) -> None:
        """Refuse to go on when a created object names another account than the one to prove."""
        made_in = str(created.get("account_sid") or "")
        if self._owner and made_in and made_in != self._owner:
            made = f"{change.address} ({created.get(change.kind.id_key)})"
            raise AccountMismatchError(
                f"the credentials belong to account {mask_sid(made_in)}, not {mask_sid(self._owner)}: they"
                f" created {made} there (delete it) and the run stopped at it"
            )


def concerns_the_account(error: VerifyctlError) -> bool:
    """Whether a failed change says that every other change would fail too: the credentials were refused
    (401, 403), or the client's retries ran out on the account (429s, 5xx, no connection). Anything else
    (a refused value, a 404, an unknown outcome) concerns that change alone."""
    if isinstance(error, ApiError):
        return error.status in ACCOUNT_STATUSES or error.status in RETRYABLE_STATUSES
    return isinstance(error, TransportError) and not isinstance(error, OutcomeUnknownError)
