"""The Engine: one account, one client, one pool sized by --parallelism; plan, apply, import, send, check."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from verifyctl.apply.executor import ApplyResult, Executor, Outcome
from verifyctl.client import SharedConnections
from verifyctl.client.base_url import is_loopback_host
from verifyctl.client.pace import Progress
from verifyctl.client.stats import RequestStats
from verifyctl.config.loader import Config
from verifyctl.engine.account import AccountSpec, Connection, connect
from verifyctl.engine.desired import Desired, desired_of
from verifyctl.engine.inventory import Entry, read_inventory
from verifyctl.engine.ownership import check_owner
from verifyctl.errors import AccountMismatchError, ApiError, StalePlanError, TransportError, VerifyctlError
from verifyctl.lint import Findings, TemplateInfo
from verifyctl.lint import run as lint
from verifyctl.plan.diff import diff
from verifyctl.plan.model import Plan, mask_sid
from verifyctl.plan.saved import SavedPlan, configuration_digest, differences, printable
from verifyctl.plan.scope import Scope, rename_hints
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import ALL_CHILD_KINDS, SAFE_LIST
from verifyctl.resources.records import LiveRecord
from verifyctl.state.account import read_account_name
from verifyctl.state.reader import read_children, read_services
from verifyctl.state.safelist import read_safe_list
from verifyctl.state.templates import (
    read_template_items,
    resolve_template_names,
    templates_of,
    uses_template_name,
)

_SERVICE_SID = re.compile(r"^VA[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class Shared:
    """What the engines of a fleet's members share: one pool for their reads, and one budget of requests
    in flight across the fleet (the --parallelism ceiling); each member's client keeps its own limit."""

    pool: ThreadPoolExecutor
    budget: threading.Semaphore
    # Keep-alive connections to the API host, reused from member to member.
    connections: SharedConnections | None = None


@contextmanager
def _pool_of(shared: Shared | None, parallelism: int) -> Iterator[ThreadPoolExecutor]:
    if shared is not None:
        yield shared.pool  # the fleet's: it outlives this member's engine
        return
    with ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix="verifyctl") as pool:
        yield pool


@dataclass(frozen=True)
class ImportResult:
    """What `import` read: every live service, and the chosen ones with all their children."""

    live: list[LiveRecord]
    chosen: list[LiveRecord]


class Engine:
    """Runs commands against one account. Open it with `Engine.open(spec, parallelism=N)`."""

    def __init__(self, connection: Connection, pool: ThreadPoolExecutor, environment: str = "") -> None:
        self._connection = connection
        # The named environment this account is ("" without environments); plans record it.
        self.environment = environment
        self._client = connection.client
        # The one pool of the run: reads, freshness checks and apply share it, sized by --parallelism.
        self._pool = pool
        self._safe_list_numbers = 0  # the Safe List numbers the current plan reads, one GET each
        # Why the environment's account could not be proven before the run ("" when it was).
        self.owner_unproven = ""
        # The account's friendly name when it is known already (a fleet member's), so not read.
        self.known_name: str | None = None

    @classmethod
    @contextmanager
    def open(
        cls,
        spec: AccountSpec,
        *,
        parallelism: int = 64,
        adaptive: bool = True,
        shared: Shared | None = None,
    ) -> Iterator[Engine]:
        """`parallelism` is the ceiling of the client's limit (fixed there unless `adaptive`).

        The pool has a thread per request the ceiling allows; the client's limit decides how many of
        them send at once, so a lower limit leaves threads waiting, never requests unsent for lack of one.
        `shared`: the pool and the in-flight budget of a fleet's run, which every member's engine uses.
        """
        with (
            connect(
                spec,
                parallelism,
                adaptive=adaptive,
                budget=shared.budget if shared else None,
                connections=shared.connections if shared else None,
            ) as connection,
            _pool_of(shared, parallelism) as pool,
        ):
            unproven = ""
            if spec.environment is not None and not spec.local and spec.member_name is None:
                # An API key's SID is not its account's: Standard and Restricted keys cannot read /Accounts.
                by_key = spec.credentials is not None and spec.credentials.username.startswith("SK")
                unproven = check_owner(
                    connection.accounts,
                    connection.account_sid,
                    spec.environment,
                    spec.credential_names,
                    connection.client if by_key else None,
                )
            engine = cls(connection, pool, spec.environment or "")
            engine.owner_unproven = unproven
            engine.known_name = spec.member_name
            yield engine

    @property
    def account_sid(self) -> str:
        return self._connection.account_sid

    @property
    def api_url(self) -> str:
        """The base URL, or "local" for the embedded emulator (what plans record)."""
        return self._connection.api_url

    @property
    def stats(self) -> RequestStats:
        return self._client.stats

    def safe_list_progress(self) -> tuple[int, Progress] | None:
        """The Safe List numbers this plan reads and how far their paced GETs have gone (None: none)."""
        total = self._safe_list_numbers
        progress = self._client.paced(SAFE_LIST.collection_path, total) if total else None
        return (total, progress) if progress is not None else None

    @contextmanager
    def _stop_on_failure(self) -> Iterator[None]:
        """A read that failed for good (or an interrupt) ends the run: queued requests are not sent.

        The readers raise the first failure at once; cancelling the client makes the requests still
        waiting for a slot or a retry raise too, so the pool drains within a round trip instead of
        reading the rest of the account for a plan that cannot be made.
        """
        try:
            yield
        except BaseException:
            self._client.cancel()
            raise

    # -- plan and apply ------------------------------------------------------------------------------

    def plan(self, config: Config, targets: Sequence[Address] = ()) -> Plan:
        """Read what the plan of a checked configuration needs of the live account, diff it, and hold
        the files to the policy.

        One list of services (its round trips pass while the files' records are built), the Templates
        list if a service in scope names a template (by name or sid: the policy checks it is approved),
        then the written child lists of matched services in scope (and all children of those being
        deleted), and one GET per declared Safe List number in scope. The account's name comes from
        another host and is read meanwhile. The plan records its account, the digest of the
        configuration and the findings that block apply.
        """
        if config.secrets:
            # An API error may echo a value it refused, and either host may answer with one.
            self._client.also_scrub(config.secrets)
            self._connection.accounts.also_scrub(config.secrets)
        # A failed read ends the plan at once, a 404 included: a racing apply that deleted its duplicate
        # service meanwhile makes this run fail (exit 1); a rerun plans without it.
        with self._stop_on_failure():
            name: Future[str] = Future()
            if self.known_name is not None:
                name.set_result(self.known_name)
            else:
                name = self._pool.submit(read_account_name, self._connection.accounts, self.account_sid)
            services = self._pool.submit(read_services, self._client)
            desired = desired_of(config, self.environment)
            return self._plan(desired, targets, services.result(), name)

    def _plan(
        self, desired: Desired, targets: Sequence[Address], services: list[LiveRecord], name: Future[str]
    ) -> Plan:
        live_services = len(services)
        scope = Scope.of(
            desired.services, services, targets=targets, prune=desired.prune, safe_list=desired.safe_list
        )
        # One GET per declared number in scope, meanwhile: the Safe List has no list endpoint.
        self._safe_list_numbers = len(set(scope.safe_list_to_read))
        numbers = read_safe_list(self._client, scope.safe_list_to_read, self._pool)
        in_scope = scope.desired_in_scope
        items: list[dict[str, Any]] | None = None
        if any(uses_template_name(s) or "default_template_sid" in s.fields for s in in_scope):
            items = read_template_items(self._client)
        if any(uses_template_name(service) for service in in_scope):
            # Resolved together, so that every unknown or ambiguous name is reported at once.
            resolved = resolve_template_names(in_scope, templates_of(items or []))
            by_object = {id(old): new for old, new in zip(in_scope, resolved, strict=True)}
            scope = scope.with_desired(lambda service: by_object.get(id(service), service))
        services = [pair.current for pair in scope.pairs if pair.current is not None]
        scope = scope.with_live(read_children(self._client, services, scope.children_to_read(), self._pool))
        scope = scope.with_safe_list(numbers())
        findings = Findings(())
        if desired.config is not None:
            live = [TemplateInfo.from_api(item) for item in items] if items is not None else []
            environments = {desired.environment or "default": desired.config.services}
            findings = lint(desired.config, live_templates=live, environments=environments)
        shown = tuple(str(finding) for finding in findings.active) + tuple(rename_hints(scope.pairs))
        # Under --target, only the services in scope are applied: their errors block, others are shown.
        names = {pair.wanted.key for pair in scope.pairs if pair.wanted is not None and pair.in_scope}
        blocking = tuple(str(f) for f in findings.blocking() if not targets or f.service in names)
        plan = diff(scope).for_account(self.account_sid, self.api_url, name.result())
        plan = replace(
            plan,
            findings=shown,
            blocking=blocking,
            secrets=desired.secrets,
            environment=self.environment,
            configuration=_digest_of(desired),
            files=tuple(str(file) for file in desired.config.files) if desired.config is not None else (),
            unmanaged=() if targets else unmanaged_services(scope),
            live_services=live_services,
        )
        return plan

    def plan_saved(self, saved: SavedPlan, config: Config) -> Plan:
        """The plan to apply for a saved one: made again from `config` and the live account, and refused
        (StalePlanError, nothing sent but reads) unless it is for this environment and account, comes
        from the same configuration, and equals the saved one change for change.

        The plan file is not trusted: what is applied is the plan made now, with its real values, its
        ids and its policy findings; the saved one only has to match it.
        """
        recorded = saved.plan
        if recorded.environment != self.environment:
            raise StalePlanError(
                f"the saved plan was made for environment {recorded.environment or '(none)'}, "
                f"not {self.environment or '(none)'}"
            )
        if not saved.is_for(self.account_sid, self.api_url):
            raise StalePlanError(
                f"the saved plan was made for account {printable(saved.masked_sid)} at "
                f"{printable(recorded.api_url)}, not {mask_sid(self.account_sid)} at {self.api_url}"
            )
        plan = self.plan(config, [Address.parse(target) for target in recorded.targets])
        if plan.configuration != recorded.configuration:
            raise StalePlanError(
                "the configuration given is not the one the saved plan was made from (or it changed "
                f"since); {saved.how_to_apply()}, or run plan again"
            )
        changed = differences(recorded, plan)
        if changed:
            more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
            raise StalePlanError(
                f"the saved plan is stale: it differs from the plan made now in {'; '.join(changed[:10])}"
                f"{more} (the live account changed since it was made, or the file was edited); nothing "
                "was applied: run plan again"
            )
        return plan

    def apply(
        self,
        plan: Plan,
        progress: Callable[[Outcome], None] = lambda outcome: None,
        stop: threading.Event | None = None,
    ) -> ApplyResult:
        """Run the plan's changes in dependency waves; `progress` hears of each change as it ends.

        Once `stop` is set no further change is sent; those in flight end and are reported.
        """
        executor = Executor(
            self._client,
            self._pool,
            progress=progress,
            stop=stop,
            on_failure=self._client.cancel,
            timing=self._client.retry,
            # The embedded emulator holds its state file: no other writer can race this run.
            sole_writer=self._connection.emulator is not None,
            # An account the credentials could not prove theirs is proven by the first create.
            owner=self.account_sid if self.owner_unproven else "",
            recording=self._client.recording,
        )
        try:
            return executor.run(plan)
        except AccountMismatchError as error:
            raise AccountMismatchError(f"environment {self.environment}: {error}") from None

    def cancel_requests(self) -> None:
        """Give up on requests waiting for a slot or a retry (they fail at once); those on the wire end."""
        self._client.cancel()

    def inventory(self, desired: Desired) -> list[Entry]:
        """Each declared service and the live one it is (None before it is created), children read."""
        return read_inventory(self._client, desired, self._pool)

    # -- import --------------------------------------------------------------------------------------

    def import_services(self, wanted: Sequence[str] = ()) -> ImportResult:
        """Every live service, and those named by friendly name or SID (all when none) with all children."""
        with self._stop_on_failure():
            live = read_services(self._client)
            chosen = select_services(live, wanted)
            read = read_children(self._client, chosen, {s.id: ALL_CHILD_KINDS for s in chosen}, self._pool)
        return ImportResult(live, [read[service.id] for service in chosen])

    # -- the Verify workflow -------------------------------------------------------------------------

    def find_service(self, name: str) -> LiveRecord:
        """The one live service with this SID or friendly name."""
        return find_service(read_services(self._client), name)

    def send(self, service: LiveRecord, form: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """Start a verification (send a code) through `service`: `form` holds To, Channel and the rest."""
        return self._client.create(f"/v2/Services/{service.id}/Verifications", list(form))

    def check(self, service: LiveRecord, to: str, form: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """Check the code of `form` for `to`; a verification that is not pending is an error saying why."""
        try:
            return self._client.create(f"/v2/Services/{service.id}/VerificationCheck", list(form))
        except ApiError as error:
            if error.status != 404:
                raise
            raise VerifyctlError(
                f"no pending verification for {to} in service[{service.key}] ({service.id}): none was "
                f"sent, or it was already approved, canceled or expired ({error})"
            ) from None

    def emulator_messages(self, to: str) -> list[dict[str, Any]]:
        """The messages an emulator recorded for `to`; none when the account is not an emulator."""
        if self._connection.emulator is not None:
            return self._connection.emulator.messages(to)
        if not is_loopback_host(urlsplit(self._client.base_url).hostname or ""):
            return []
        try:
            payload = self._client.get("/__emulator__/messages", params={"to": to})
        except (ApiError, TransportError):
            return []  # a loopback server that is not the emulator (a proxy, a mock): nothing to show
        messages = payload.get("messages")
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def _digest_of(desired: Desired) -> str:
    policy = desired.config.policy if desired.config is not None else None
    return configuration_digest(
        desired.services,
        desired.safe_list,
        prune=desired.prune,
        policy=policy.model_dump(mode="json") if policy is not None else None,
        environment=desired.environment,
    )


def unmanaged_services(scope: Scope) -> tuple[tuple[str, str], ...]:
    """The live services no file declares that the plan leaves alone, by friendly name then SID."""
    left = [
        (pair.current.key, pair.current.id)
        for pair in scope.pairs
        if pair.wanted is None and pair.current is not None and not scope.deleted(pair)
    ]
    return tuple(sorted(left))


def select_services(live: Sequence[LiveRecord], wanted: Sequence[str]) -> list[LiveRecord]:
    """Every live service, or those named by friendly name or SID (a shared friendly name selects all)."""
    if not wanted:
        return list(live)
    chosen: dict[str, LiveRecord] = {}
    unknown: list[str] = []
    for name in wanted:
        matches = [s for s in live if s.key == name or s.id.upper() == name.upper()]
        if not matches:
            unknown.append(name)
        for service in matches:
            chosen.setdefault(service.id, service)
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        known = ", ".join(sorted({repr(s.key) for s in live})) or "none"
        raise VerifyctlError(
            f"no live service has the friendly name or SID {names} (the account's services: {known})"
        )
    return list(chosen.values())


def find_service(live: Sequence[LiveRecord], name: str) -> LiveRecord:
    """The one live service with this SID or friendly name; an error when there is none or several."""
    if _SERVICE_SID.match(name):
        for service in live:
            if service.id.upper() == name.upper():
                return service
        raise VerifyctlError(f"no live service has the SID {name}")
    matches = [s for s in live if s.key == name]
    if not matches:
        known = ", ".join(sorted({repr(s.key) for s in live})) or "none"
        raise VerifyctlError(f"no live service is named {name!r} (the account's services: {known})")
    if len(matches) > 1:
        sids = ", ".join(sorted(s.id for s in matches))
        raise VerifyctlError(
            f"{len(matches)} live services are named {name!r} ({sids}); name the one you mean by its SID"
        )
    return matches[0]
