"""Read the live account into records: one paged list per collection, only the children asked for."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any, Protocol

from verifyctl.resources.kinds import BUCKET, RATE_LIMIT, SERVICE, Kind
from verifyctl.resources.records import LiveRecord, live_record


class ListingClient(Protocol):
    """What the reader needs of the HTTP client."""

    def list(
        self, path: str, list_key: str, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]: ...


def collection_path(kind: Kind, service_sid: str = "", rate_limit_sid: str = "") -> str:
    return kind.collection_path.format(service_sid=service_sid, rate_limit_sid=rate_limit_sid)


def instance_path(kind: Kind, object_id: str, service_sid: str = "", rate_limit_sid: str = "") -> str:
    return kind.instance_path.format(service_sid=service_sid, rate_limit_sid=rate_limit_sid, id=object_id)


def read_services(client: ListingClient) -> list[LiveRecord]:
    """Every live service, without children."""
    return [live_record(SERVICE, item) for item in client.list(SERVICE.collection_path, SERVICE.list_key)]


class _TaskGroup:
    """Runs tasks on a shared pool, where a task may add more; `wait` returns when all are done."""

    def __init__(self, pool: Executor) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._pending = 0
        self._done = threading.Event()
        self._done.set()
        self._errors: list[BaseException] = []

    def submit(self, task: Callable[[], None]) -> None:
        with self._lock:
            self._pending += 1
            if not self._errors:  # once a task failed, the wait is over for good
                self._done.clear()
        future = self._pool.submit(task)
        future.add_done_callback(self._finished)

    def _finished(self, future: Future[None]) -> None:
        error = future.exception()
        with self._lock:
            if error is not None:
                self._errors.append(error)
            self._pending -= 1
            # The first failure ends the wait: the caller stops the run rather than read on for nothing.
            if self._pending == 0 or error is not None:
                self._done.set()

    def wait(self) -> None:
        """Return when every task is done; raise the first failure as soon as it happens."""
        self._done.wait()
        if self._errors:
            raise self._errors[0]


def read_children(
    client: ListingClient,
    services: Sequence[LiveRecord],
    needs: Mapping[str, frozenset[str]],
    pool: Executor,
) -> dict[str, LiveRecord]:
    """Each service whose id is in `needs`, by id, with the child kinds named there read.

    The first list that fails raises at once, while other reads may still run: the caller cancels
    the client so that they end (the engine does).

    "bucket" in a service's needs means: read the buckets of each of its rate limits. A bucket read
    starts as soon as its rate limit list has arrived, so no wave waits for the slowest service.
    """
    group = _TaskGroup(pool)
    lists: dict[tuple[str, str], list[LiveRecord]] = {}
    buckets: dict[str, list[LiveRecord]] = {}
    for service in services:
        kinds = needs.get(service.id)
        if not kinds:
            continue
        for kind in SERVICE.children:
            if kind.name in kinds:
                group.submit(_child_reader(client, group, service, kind, "bucket" in kinds, lists, buckets))
    group.wait()
    read: dict[str, LiveRecord] = {}
    for service in services:
        kinds = needs.get(service.id)
        if not kinds:
            continue
        children: dict[str, tuple[LiveRecord, ...]] = {}
        for kind in SERVICE.children:
            if kind.name not in kinds:
                continue
            records = lists[(service.id, kind.name)]
            if kind is RATE_LIMIT and "bucket" in kinds:
                records = [r.with_children({"bucket": tuple(buckets[r.id])}) for r in records]
            children[kind.name] = tuple(records)
        read[service.id] = service.with_children(children)
    return read


def _child_reader(
    client: ListingClient,
    group: _TaskGroup,
    service: LiveRecord,
    kind: Kind,
    with_buckets: bool,
    lists: dict[tuple[str, str], list[LiveRecord]],
    buckets: dict[str, list[LiveRecord]],
) -> Callable[[], None]:
    def run() -> None:
        items = client.list(collection_path(kind, service_sid=service.id), kind.list_key)
        records = [live_record(kind, item) for item in items]
        # Each key is written once, by one task: no two tasks share an entry.
        lists[(service.id, kind.name)] = records
        if kind is RATE_LIMIT and with_buckets:
            for rate_limit in records:
                group.submit(_bucket_reader(client, service, rate_limit, buckets))

    return run


def _bucket_reader(
    client: ListingClient, service: LiveRecord, rate_limit: LiveRecord, buckets: dict[str, list[LiveRecord]]
) -> Callable[[], None]:
    def run() -> None:
        path = collection_path(BUCKET, service_sid=service.id, rate_limit_sid=rate_limit.id)
        buckets[rate_limit.id] = [live_record(BUCKET, item) for item in client.list(path, BUCKET.list_key)]

    return run
