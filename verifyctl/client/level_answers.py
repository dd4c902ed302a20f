"""Answers filed by the level they met, and the tests on them that show a concurrency cap (see docs/)."""

from __future__ import annotations

import math
from dataclasses import dataclass

# A cap is taken as found when, at and above some level, at least CAP_REFUSALS requests were refused
# and their share is CAP_DEVIATIONS standard errors above the share refused below that level.
CAP_REFUSALS = 8
CAP_DEVIATIONS = 3.5


class AnswersByLevel:
    """The run's served and refused answers, counted by level from 1 to `ceiling`."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self.served = [0] * (ceiling + 1)  # index 0 unused
        self.refused = [0] * (ceiling + 1)

    def add(self, level: int, refused: bool) -> None:
        (self.refused if refused else self.served)[min(level, self.ceiling)] += 1

    def refused_up_to(self, top: int) -> int:
        return sum(self.refused[: top + 1])

    def cap_under(self, top: int) -> int | None:
        """The level under the clearest step up in refusals at or below `top`, if one is clear enough."""
        best, best_score = None, CAP_DEVIATIONS
        refused_below = self.refused_up_to(top)
        sent_below = sum(self.served[: top + 1]) + refused_below
        sent_above = refused_above = 0
        for level in range(top, 1, -1):
            sent_above += self.served[level] + self.refused[level]
            refused_above += self.refused[level]
            sent_below -= self.served[level] + self.refused[level]
            refused_below -= self.refused[level]
            if refused_above < CAP_REFUSALS or not self.refused[level] or sent_below <= refused_below:
                continue
            # A two-proportion z-test: few answers on either side are weak evidence.
            pooled = (refused_above + refused_below) / (sent_above + sent_below)
            spread = math.sqrt(pooled * (1 - pooled) * (1 / sent_above + 1 / sent_below))
            score = (refused_above / sent_above - refused_below / sent_below) / spread
            if score >= best_score:
                # Those refused below the step are refused at any level: the account counted them,
                # though the levels leave them out, so the cap is higher by their share.
                best, best_score = int((level - 1) / (1 - refused_below / sent_below)), score
        return best


@dataclass
class AnswersSinceChange:
    """The answers to requests sent since the limit last changed, and their levels added up."""

    served: int = 0
    refused: int = 0
    served_levels: int = 0
    refused_levels: int = 0

    def add(self, level: int, refused: bool) -> None:
        if refused:
            self.refused += 1
            self.refused_levels += level
        else:
            self.served += 1
            self.served_levels += level

    def refused_too_often_and_higher(self) -> bool:
        """Over 40% refused (CAP_REFUSALS at least), and at higher levels than the served on average,
        as a cap's are; random 429s fall alike at every level."""
        if self.refused < CAP_REFUSALS or self.refused * 5 <= (self.served + self.refused) * 2:
            return False
        return not self.served or self.refused_levels * self.served > self.served_levels * self.refused
