"""Bulk building without the cycle collector: for loading files and diffing large accounts."""

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
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Everything made meanwhile sits in the youngest generation, and the first allocation after
            # enable() would walk it all (0.13 s for 2,000 services) to find nothing. freeze() and
            # unfreeze() move it to the oldest generation without a walk; it stays collectable.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
