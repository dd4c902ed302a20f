"""Read the Safe List one declared number at a time: the API has a GET per number and no list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, Protocol

from verifyctl.errors import ApiError
from verifyctl.resources.records import LiveRecord
from verifyctl.resources.safelist import live_safe_list_record, number_path


class FetchingClient(Protocol):
    """What the Safe List reader needs of the HTTP client."""

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]: ...


def read_number(client: FetchingClient, number: str) -> LiveRecord | None:
    """The live entry of `number`, or None when it is not on the list (404)."""
    try:
        return live_safe_list_record(client.get(number_path(number)))
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def read_safe_list(
    client: FetchingClient, numbers: Sequence[str], pool: Executor
) -> Callable[[], dict[str, LiveRecord | None]]:
    """Start one GET per number on the run's pool; the returned call waits for each live entry (None
    when absent). Submitted from the caller's thread, never from a pool task: a task waiting on others
    of the same pool would hold a worker they need (a deadlock at --parallelism 1).

    The client paces these GETs under the rate the kind declares (resources/kinds.py, client/pace.py).
    """
    futures = {number: pool.submit(read_number, client, number) for number in dict.fromkeys(numbers)}
    return lambda: {number: future.result() for number, future in futures.items()}
