"""The writes a thread sent while recording: method, status and Twilio's request id, for apply's report."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

REQUEST_ID_HEADER = "Twilio-Request-Id"
# What Twilio's request ids look like; anything else a server sends is not passed on (it could be anything).
_REQUEST_ID = re.compile(r"RQ[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class Exchange:
    """One write attempt: its method, the HTTP status (None: no answer) and the answer's request id."""

    method: str
    status: int | None
    request_id: str | None


def request_id_of(value: str | None) -> str | None:
    """The header's value when it is a Twilio request id, else None."""
    return value if value is not None and _REQUEST_ID.fullmatch(value) else None


class ExchangeRecorder:
    """Collects the writes each thread sends inside `recording()`; other threads' writes are not mixed in.

    A change is applied on one pool thread from start to end, so the writes recorded there are its own.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def recording(self) -> Iterator[list[Exchange]]:
        exchanges: list[Exchange] = []
        outer = getattr(self._local, "exchanges", None)
        self._local.exchanges = exchanges
        try:
            yield exchanges
        finally:
            self._local.exchanges = outer

    def note(self, method: str, status: int | None, header: str | None) -> None:
        exchanges: list[Exchange] | None = getattr(self._local, "exchanges", None)
        if exchanges is not None:
            exchanges.append(Exchange(method, status, request_id_of(header)))
