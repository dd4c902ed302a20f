"""Keeping the cycle collector off bulk work: loading files, large diffs, a run's long-lived objects."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause the cycle collector while a step makes many long-lived objects and frees few.

    Loading 10,000 services or diffing 5,000 makes hundreds of thousands of small objects (models,
    records, addresses, changes) and frees almost none: each run of the collector finds nothing and
    walks the whole heap again. Paused, loading takes less than half the time and a diff about 30% less.
    """
    enabled = gc.isenabled()
    # Inside heap_so_far_frozen (a command's engine), unfreeze() here would thaw that heap too.
    outer_freeze = gc.get_freeze_count() > 0
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Everything made meanwhile sits in the youngest generation, and the first allocation after
            # enable() would walk it all (0.13 s for 2,000 services) to find nothing. freeze() and
            # unfreeze() move it to the oldest generation without a walk; it stays collectable (or,
            # within an outer freeze, stays frozen until that one ends).
            gc.freeze()
            if not outer_freeze:
                gc.unfreeze()
            gc.enable()


@contextlib.contextmanager
def heap_so_far_frozen() -> Iterator[None]:
    """Keep every object made so far out of the cycle collector's walks until the block ends.

    What a command loaded before it talks to the account (its files, models, records) lives until
    the command ends, yet each full collection during the reads walked it all again: 0.34 s in the
    middle of a 2,000-service plan. Frozen, collections walk only what the reads make. Unfrozen at
    the end, so a process that runs many commands (the tests) keeps nothing for good.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
