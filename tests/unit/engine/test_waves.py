"""The fleet rollout: wave sizes, canary first, stopping after failures or a signal, the exit code."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verifyctl.engine.waves import (
    APPLIED,
    FAILED,
    NO_CHANGES,
    NOT_STARTED,
    SKIPPED,
    MemberResult,
    Rollout,
    WavePolicy,
    exit_code_of,
    split_in_waves,
    wave_sizes,
)
from verifyctl.errors import EXIT_REFUSED


@dataclass(frozen=True)
class Fake:
    name: str


def members(count: int) -> list[Fake]:
    return [Fake(f"tenant-{i:02d}") for i in range(count)]


class Recorder:
    """Applies fake members: those named in `failing` fail with `code`; records the order and waves."""

    def __init__(self, failing: Sequence[str] = (), code: int = 1) -> None:
        self.failing = set(failing)
        self.code = code
        self.applied: list[str] = []
        self.waves: list[list[str]] = []

    def apply(self, member: Fake) -> MemberResult:
        self.applied.append(member.name)
        if member.name in self.failing:
            return MemberResult(member.name, FAILED, "boom", self.code)
        return MemberResult(member.name, APPLIED, "3 changes")

    def on_wave(self, number: int, wave: Sequence[Fake]) -> None:
        self.waves.append([m.name for m in wave])


def test_waves_start_with_a_canary_and_double_up_to_the_wave_size() -> None:
    assert wave_sizes(30, 8) == [1, 2, 4, 8, 8, 7]
    assert wave_sizes(1, 8) == [1]
    assert wave_sizes(0, 8) == []
    assert wave_sizes(5, 1) == [1, 1, 1, 1, 1]


@given(st.integers(0, 3000), st.integers(1, 500))
def test_waves_cover_every_member_once_in_order(count: int, size: int) -> None:
    waves = split_in_waves(members(count), size)
    assert [m for wave in waves for m in wave] == members(count)
    assert all(1 <= len(wave) <= size for wave in waves)
    if waves:
        assert len(waves[0]) == 1


def test_every_member_is_applied_wave_by_wave_when_none_fails() -> None:
    recorder = Recorder()
    rollout = Rollout(WavePolicy(wave_size=4), recorder.apply, on_wave=recorder.on_wave)
    results = rollout.run(members(10))
    assert [len(w) for w in recorder.waves] == [1, 2, 4, 3]
    assert recorder.waves[0] == ["tenant-00"]
    assert [r.status for r in results] == [APPLIED] * 10
    assert [r.wave for r in results] == [1, 2, 2, 3, 3, 3, 3, 4, 4, 4]
    assert exit_code_of(results) == 0


def test_a_failed_canary_stops_every_later_wave_by_default() -> None:
    recorder = Recorder(failing=["tenant-00"], code=EXIT_REFUSED)
    results = Rollout(WavePolicy(wave_size=4), recorder.apply).run(members(10))
    assert recorder.applied == ["tenant-00"]
    assert results[0] == MemberResult("tenant-00", FAILED, "boom", EXIT_REFUSED, wave=1)
    assert {r.status for r in results[1:]} == {NOT_STARTED}
    assert results[1].detail == "1 member failed (--max-failed-members 0)"
    assert exit_code_of(results) == EXIT_REFUSED


def test_the_wave_with_a_failure_runs_to_its_end() -> None:
    recorder = Recorder(failing=["tenant-01"])
    results = Rollout(WavePolicy(wave_size=4), recorder.apply).run(members(10))
    assert recorder.applied == ["tenant-00", "tenant-01", "tenant-02"]
    assert [r.status for r in results[:3]] == [APPLIED, FAILED, APPLIED]
    assert {r.status for r in results[3:]} == {NOT_STARTED}


def test_max_failed_members_lets_waves_go_on_until_more_have_failed() -> None:
    recorder = Recorder(failing=["tenant-01", "tenant-04"])
    policy = WavePolicy(wave_size=4, max_failed_members=1)
    results = Rollout(policy, recorder.apply).run(members(10))
    # Wave 2 has one failure (allowed), wave 3 a second: wave 4 does not start.
    assert recorder.applied == [f"tenant-{i:02d}" for i in range(7)]
    assert [r.status for r in results[7:]] == [NOT_STARTED] * 3
    assert results[7].detail == "2 members failed (--max-failed-members 1)"
    assert exit_code_of(results) == 1


def test_a_stop_leaves_the_members_not_yet_started_unstarted() -> None:
    stop = threading.Event()
    recorder = Recorder()

    def apply(member: Fake) -> MemberResult:
        if member.name == "tenant-03":
            stop.set()  # as SIGINT does while the third wave runs
        return recorder.apply(member)

    results = Rollout(WavePolicy(wave_size=4), apply, stop=stop).run(members(10))
    assert recorder.applied == ["tenant-00", "tenant-01", "tenant-02", "tenant-03"]
    assert [r.status for r in results[:4]] == [APPLIED] * 4
    assert {(r.status, r.detail) for r in results[4:]} == {(NOT_STARTED, "interrupted")}
    assert exit_code_of(results) == 1


def test_no_changes_and_skipped_members_do_not_fail_the_run() -> None:
    results = [
        MemberResult("a", APPLIED),
        MemberResult("b", NO_CHANGES),
        MemberResult("c", SKIPPED, "closed"),
    ]
    assert exit_code_of(results) == 0
    assert exit_code_of([*results, MemberResult("d", FAILED, "x", 3), MemberResult("e", FAILED, "y", 1)]) == 3


def test_a_policy_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        WavePolicy(wave_size=0)
    with pytest.raises(ValueError):
        WavePolicy(max_failed_members=-1)


def test_members_failed_before_the_first_wave_count_against_the_limit() -> None:
    recorder = Recorder()
    assert {r.status for r in Rollout(WavePolicy(), recorder.apply).run(members(3), failed_before=1)} == {
        NOT_STARTED
    }
    assert recorder.applied == []
    allowed = Rollout(WavePolicy(max_failed_members=1), recorder.apply).run(members(3), failed_before=1)
    assert {r.status for r in allowed} == {APPLIED}


def test_members_of_the_same_name_each_keep_their_result() -> None:
    twins = [Fake("twin"), Fake("twin"), Fake("other")]
    results = Rollout(WavePolicy(), Recorder().apply).run(twins)
    assert [(r.name, r.wave) for r in results] == [("twin", 1), ("twin", 2), ("other", 2)]
