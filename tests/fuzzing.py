"""How many examples a property test tries: its own count under the `ci` profile, more when exploring."""

from __future__ import annotations

from hypothesis import settings


def examples(ci_count: int) -> int:
    """`ci_count` under the deterministic `ci` profile; the loaded profile's (larger) count otherwise."""
    loaded = settings.default
    if loaded.derandomize:
        return ci_count
    return max(ci_count, loaded.max_examples)
