"""A fleet's plan: one plan per member (or the error that stopped it), and the subaccounts it skipped."""

from __future__ import annotations

from dataclasses import dataclass

from verifyctl.plan.model import Plan, Summary, mask_sid


@dataclass(frozen=True)
class MemberPlan:
    """One member's outcome: its plan, or the error that stopped it (message and exit code), or why
    the subaccount was skipped (`closed`, `suspended`)."""

    name: str
    sid: str
    plan: Plan | None = None
    error: str = ""
    exit_code: int = 0
    skipped: str = ""

    @property
    def account(self) -> str:
        return mask_sid(self.sid)

    @property
    def status(self) -> str:
        """`changes`, `no changes`, `error` or `skipped: closed`, as the member table shows it."""
        if self.skipped:
            return f"skipped: {self.skipped}"
        if self.plan is None:
            return "error"
        return "changes" if self.plan.has_changes else "no changes"

    @property
    def summary(self) -> Summary:
        return self.plan.summary if self.plan is not None else Summary()


@dataclass(frozen=True)
class FleetPlan:
    """Every member of a run over a fleet, in the fleet's order (by name), then the skipped ones."""

    fleet: str
    members: tuple[MemberPlan, ...]
    # `K/N` under --shard: this run's share of the members ("" for all of them).
    shard: str = ""

    @property
    def planned(self) -> list[MemberPlan]:
        return [m for m in self.members if m.plan is not None]

    @property
    def failed(self) -> list[MemberPlan]:
        return [m for m in self.members if m.error]

    @property
    def skipped(self) -> list[MemberPlan]:
        return [m for m in self.members if m.skipped]

    @property
    def has_changes(self) -> bool:
        return any(m.plan.has_changes for m in self.planned if m.plan is not None)
