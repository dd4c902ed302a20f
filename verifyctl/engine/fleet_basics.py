"""What one-account runs name of fleets (a member, a shard, the default wave size), without their code."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from verifyctl.client import Credentials
from verifyctl.errors import UsageError
from verifyctl.plan.model import mask_sid
from verifyctl.plan.saved import printable

_SHARD = re.compile(r"^(\d{1,6})/(\d{1,6})$")
# The largest wave unless --wave-size says otherwise: the waves grow 1, 2, 4, ... up to it.
DEFAULT_WAVE_SIZE = 64


@dataclass(frozen=True)
class Shard:
    """`--shard K/N`: the K-th of N stable shares of a fleet's members, by a hash of each member's SID."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        found = _SHARD.match(text.strip())
        if found is None:
            raise UsageError(f"--shard {printable(text)}: write K/N, e.g. 2/4 (the 2nd of 4 shares)")
        index, count = int(found.group(1)), int(found.group(2))
        if not 1 <= index <= count:
            raise UsageError(f"--shard {index}/{count}: K must be between 1 and N")
        return cls(index, count)

    def holds(self, sid: str) -> bool:
        """Whether the member with this SID is in this share: the same answer on every machine and run."""
        digest = hashlib.sha256(sid.upper().encode("ascii", "replace")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class Member:
    """One subaccount of a fleet. `name` is how the fleet names it: its friendly name, or its SID when
    another subaccount of the parent shares that friendly name. Its credentials stay in memory only."""

    name: str
    sid: str
    status: str
    friendly_name: str
    credentials: Credentials | None = field(default=None, repr=False, compare=False)

    @property
    def masked_sid(self) -> str:
        return mask_sid(self.sid)

    def __repr__(self) -> str:
        return f"Member(name={self.name!r}, sid={self.sid!r}, status={self.status!r})"

    __str__ = __repr__
