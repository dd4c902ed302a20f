"""Read the live account into records: one paged list per collection, only the children asked for."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from verifyctl.resources.kinds import BUCKET, KINDS, RATE_LIMIT, SERVICE, Kind
from verifyctl.resources.records import Record, live_record

ALL_CHILD_KINDS = frozenset({"rate_limit", "messaging_configuration", "webhook", "bucket"})


class ListingClient(Protocol):
    """What the reader needs of the HTTP client."""

    def list(
        self, path: str, list_key: str, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]: ...


def collection_path(kind: Kind, service_sid: str = "", rate_limit_sid: str = "") -> str:
    return kind.collection_path.format(service_sid=service_sid, rate_limit_sid=rate_limit_sid)


def instance_path(kind: Kind, object_id: str, service_sid: str = "", rate_limit_sid: str = "") -> str:
    return kind.instance_path.format(service_sid=service_sid, rate_limit_sid=rate_limit_sid, id=object_id)


def read_services(client: ListingClient) -> list[Record]:
    """Every live service, without children."""
    return [live_record(SERVICE, item) for item in client.list(SERVICE.collection_path, SERVICE.list_key)]


class _TaskGroup:
    """Runs tasks on a shared pool, where a task may add more; `wait` returns when all are done."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._pending = 0
        self._done = threading.Event()
        self._done.set()
        self._errors: list[BaseException] = []

    def submit(self, task: Callable[[], None]) -> None:
        with self._lock:
            self._pending += 1
            self._done.clear()
        future = self._pool.submit(task)
        future.add_done_callback(self._finished)

    def _finished(self, future: Future[None]) -> None:
        error = future.exception()
        with self._lock:
            if error is not None:
                self._errors.append(error)
            self._pending -= 1
            if self._pending == 0:
                self._done.set()

    def wait(self) -> None:
        self._done.wait()
        if self._errors:
            raise self._errors[0]


def read_children(
    client: ListingClient,
    services: Sequence[Record],
    needs: Mapping[str, frozenset[str]],
    parallelism: int = 10,
) -> None:
    """Fill `children` of each service whose id is in `needs` with the kinds named there.

    "bucket" in a service's needs means: read the buckets of each of its rate limits. A bucket read
    starts as soon as its rate limit list has arrived, so no wave waits for the slowest service.
    """
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="verifyctl-read") as pool:
        group = _TaskGroup(pool)
        for service in services:
            kinds = needs.get(str(service.id))
            if not kinds:
                continue
            for kind_name in ("rate_limit", "messaging_configuration", "webhook"):
                if kind_name in kinds:
                    group.submit(_child_reader(client, group, service, kind_name, "bucket" in kinds))
        group.wait()


def _child_reader(
    client: ListingClient, group: _TaskGroup, service: Record, kind_name: str, with_buckets: bool
) -> Callable[[], None]:
    kind = KINDS[kind_name]

    def run() -> None:
        items = client.list(collection_path(kind, service_sid=str(service.id)), kind.list_key)
        records = [live_record(kind, item) for item in items]
        # Each list is assigned whole, once: readers of other kinds never touch the same key.
        service.children[kind_name] = records
        if kind is RATE_LIMIT and with_buckets:
            for rate_limit in records:
                group.submit(_bucket_reader(client, service, rate_limit))

    return run


def _bucket_reader(client: ListingClient, service: Record, rate_limit: Record) -> Callable[[], None]:
    def run() -> None:
        path = collection_path(BUCKET, service_sid=str(service.id), rate_limit_sid=str(rate_limit.id))
        rate_limit.children["bucket"] = [
            live_record(BUCKET, item) for item in client.list(path, BUCKET.list_key)
        ]

    return run
