"""Suite-wide settings: Hypothesis runs derandomized with no example database unless a profile says otherwise.

`python -m pytest` (the README's command and CI's) uses the `ci` profile: the same examples on every
machine and every run, nothing replayed from an earlier run's `.hypothesis/`. A longer, randomized hunt
is opt-in: `python -m pytest --hypothesis-profile explore tests/badinput tests/unit/config`.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile("ci")
