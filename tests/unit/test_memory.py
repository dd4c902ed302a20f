"""The cycle collector kept off bulk work, and a command's loaded heap frozen while its engine runs."""

from __future__ import annotations

import gc

from verifyctl.memory import cycle_collector_paused, heap_so_far_frozen


def test_a_paused_step_runs_without_the_collector_and_leaves_nothing_frozen() -> None:
    assert gc.get_freeze_count() == 0
    with cycle_collector_paused():
        assert not gc.isenabled()
        made = [[index] for index in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # moved to the oldest generation, still collectable
    assert len(made) == 1000


def test_a_paused_step_inside_a_frozen_heap_keeps_that_heap_frozen() -> None:
    with heap_so_far_frozen():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with cycle_collector_paused():
            made = [[index] for index in range(1000)]
        # The step's objects join the frozen heap rather than thawing it.
        assert gc.get_freeze_count() >= frozen
        assert len(made) == 1000
    assert gc.get_freeze_count() == 0  # the command's end thaws everything
