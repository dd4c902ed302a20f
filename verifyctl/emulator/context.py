"""What a resource handler gets (one authenticated API request plus the emulator's state) and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verifyctl.emulator.clock import Clock, iso
from verifyctl.emulator.store import Store
from verifyctl.emulator.validation import Form


@dataclass
class Context:
    """One authenticated `/v2` request: its account, path parameters, query and form, and the state."""

    store: Store
    clock: Clock
    account_sid: str
    method: str
    path: str
    params: dict[str, str]
    query: Form
    form: Form
    base_url: str
    # The raw request body, for the few operations whose body is JSON (the Passkeys ones).
    body: str = ""

    def now(self) -> float:
        return self.clock.now()

    def now_iso(self) -> str:
        return iso(self.clock.now())

    def url(self, path: str) -> str:
        """An absolute URL on the emulator's own host."""
        return self.base_url + path


@dataclass
class Result:
    """An answer: status, JSON body (None for 204) and any headers of its own."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
