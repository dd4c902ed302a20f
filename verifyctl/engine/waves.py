"""Apply over a fleet in waves: a canary member first, then growing waves; failures or a signal stop them."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, Protocol, TypeVar

from verifyctl.engine.fleet_basics import DEFAULT_WAVE_SIZE
from verifyctl.errors import EXIT_ERROR, EXIT_OK

# A member's result at the end of an apply over a fleet.
APPLIED = "applied"
NO_CHANGES = "no changes"
FAILED = "failed"
NOT_STARTED = "not started"
SKIPPED = "skipped"
STATUSES = (APPLIED, NO_CHANGES, FAILED, NOT_STARTED, SKIPPED)


class Named(Protocol):
    """What the scheduler needs of a member: a name to report it by."""

    @property
    def name(self) -> str: ...


M = TypeVar("M", bound=Named)


@dataclass(frozen=True)
class MemberResult:
    """How one member's apply ended: its status, one line of detail, and the exit code of a failure."""

    name: str
    status: str
    detail: str = ""
    exit_code: int = EXIT_OK
    # The wave it ran in (1 is the canary); 0 when it never ran.
    wave: int = 0

    @property
    def failed(self) -> bool:
        return self.status == FAILED


@dataclass(frozen=True)
class WavePolicy:
    """How a fleet is rolled out: the largest wave, and how many failed members stop new waves."""

    wave_size: int = DEFAULT_WAVE_SIZE
    max_failed_members: int = 0

    def __post_init__(self) -> None:
        if self.wave_size < 1 or self.max_failed_members < 0:
            raise ValueError("wave_size must be at least 1 and max_failed_members at least 0")


def wave_sizes(count: int, wave_size: int) -> list[int]:
    """The sizes of the waves that cover `count` members: 1 (the canary), then each double the last,
    capped at `wave_size`; the last wave holds what is left."""
    sizes: list[int] = []
    size = 1
    left = count
    while left > 0:
        taken = min(size, wave_size, left)
        sizes.append(taken)
        left -= taken
        size = min(size * 2, wave_size)
    return sizes


def split_in_waves(members: Sequence[M], wave_size: int) -> list[list[M]]:
    """The members, in order, cut into waves of `wave_sizes`."""
    waves: list[list[M]] = []
    start = 0
    for size in wave_sizes(len(members), wave_size):
        waves.append(list(members[start : start + size]))
        start += size
    return waves


# Runs one wave: calls `apply` on every member (concurrently or not) and returns their results in order.
WaveRunner = Callable[[Sequence[M], Callable[[M], MemberResult]], list[MemberResult]]


def one_by_one(members: Sequence[M], apply: Callable[[M], MemberResult]) -> list[MemberResult]:
    """A wave run member after member, on the calling thread (what tests use)."""
    return [apply(member) for member in members]


@dataclass
class Rollout(Generic[M]):
    """Applies members wave by wave: each wave starts once the one before has ended, and only while
    no more than `max_failed_members` have failed and no stop was asked for.

    `apply` applies one member and returns its result (it must not raise for a member's own failure);
    `on_wave` hears of each wave before it starts (its number, 1-based, and its members).
    """

    policy: WavePolicy
    apply: Callable[[M], MemberResult]
    run_wave: WaveRunner[M] = one_by_one
    stop: threading.Event | None = None
    on_wave: Callable[[int, Sequence[M]], None] = lambda number, members: None

    def run(self, members: Sequence[M], failed_before: int = 0) -> list[MemberResult]:
        """Each member's result, in member order; `failed_before` members failed before any wave (their
        plan was refused) and count against `max_failed_members`."""
        results: list[MemberResult] = []
        failed = failed_before
        why_not = ""
        for number, wave in enumerate(split_in_waves(members, self.policy.wave_size), start=1):
            if not why_not and self._stopped():
                why_not = "interrupted"
            if not why_not and failed > self.policy.max_failed_members:
                why_not = self._too_many(failed)
            if why_not:
                results += [MemberResult(m.name, NOT_STARTED, why_not) for m in wave]
                continue
            self.on_wave(number, wave)
            ended = self.run_wave(wave, functools.partial(self._one, number=number))
            results += ended
            failed += sum(1 for result in ended if result.failed)
        return results

    def _one(self, member: M, number: int) -> MemberResult:
        # A signal stops members of the current wave that have not started yet; those started end.
        if self._stopped():
            return MemberResult(member.name, NOT_STARTED, "interrupted")
        return replace(self.apply(member), wave=number)

    def _stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def _too_many(self, failed: int) -> str:
        limit = self.policy.max_failed_members
        return f"{failed} member{'s' if failed != 1 else ''} failed (--max-failed-members {limit})"


def exit_code_of(results: Sequence[MemberResult]) -> int:
    """0 when every member was applied, had no changes or was skipped; else the first failure's code
    (1 when members were left unstarted without one failing, as after a stop)."""
    for result in results:
        if result.failed:
            return result.exit_code or EXIT_ERROR
    if any(result.status == NOT_STARTED for result in results):
        return EXIT_ERROR
    return EXIT_OK
