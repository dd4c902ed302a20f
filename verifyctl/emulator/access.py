"""Who may use the `/__emulator__/*` control endpoints: anyone on loopback, else accounts and the admin."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """A control caller: the admin sees and controls everything; an account sees only its own data."""

    admin: bool
    account_sid: str | None = None

    @property
    def scope(self) -> str | None:
        """The account whose data the caller may see, or None for every account."""
        return None if self.admin else self.account_sid


@dataclass(frozen=True)
class ControlAccess:
    """Open (today's loopback default) or authenticated: account credentials, or `Bearer <admin token>`."""

    required: bool
    admin_token: str | None = None

    def __post_init__(self) -> None:
        if self.required and not self.admin_token:
            raise ValueError("authenticated control endpoints need an admin token")

    def __repr__(self) -> str:
        # The admin token never shows, even in a debugger or a traceback.
        return f"ControlAccess(required={self.required})"

    def identify(
        self, authorization: str | None, account_for: Callable[[str | None], str | None]
    ) -> Caller | None:
        """The caller an `Authorization` header makes, or None when the endpoints need one and it is not."""
        if not self.required:
            return Caller(admin=True)
        if self.admin_token and authorization and authorization[:7].lower() == "bearer ":
            if hmac.compare_digest(authorization[7:].strip().encode(), self.admin_token.encode()):
                return Caller(admin=True)
            return None
        account = account_for(authorization)
        return None if account is None else Caller(admin=False, account_sid=account)
