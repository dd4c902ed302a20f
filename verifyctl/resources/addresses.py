"""Object addresses (`service[A]/rate_limit[b]/bucket[60]`, `safe_list[+1…]`): parse, format, parent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from verifyctl.errors import UsageError
from verifyctl.resources.kinds import KINDS, ROOT_KINDS, Kind

Segment = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Address:
    """The path to one object: (kind name, key as written) from the service down."""

    segments: tuple[Segment, ...]
    # The text form, made once: plans format every address they read for their fingerprint and output.
    _text: str = field(default="", init=False, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str) -> Address:
        """The address `text` names; UsageError (exit 64) when it is not one."""
        return cls(tuple(_parse_segments(text)))

    @classmethod
    def of_service(cls, key: str) -> Address:
        return cls((("service", key),))

    @classmethod
    def of_safe_list(cls, number: str) -> Address:
        return cls((("safe_list", number),))

    def child(self, kind: str, key: str) -> Address:
        return Address((*self.segments, (kind, key)))

    @property
    def parent(self) -> Address | None:
        return Address(self.segments[:-1]) if len(self.segments) > 1 else None

    @property
    def kind(self) -> Kind:
        return KINDS[self.segments[-1][0]]

    @property
    def key(self) -> str:
        return self.segments[-1][1]

    @property
    def identity(self) -> tuple[Segment, ...]:
        """The segments with each key in its kind's matching form (`END_USER_IP` is `end_user_ip`)."""
        return tuple((kind, KINDS[kind].identity_of(key)) for kind, key in self.segments)

    def covers(self, other: Address) -> bool:
        """Whether this address names `other` or one of its ancestors, by each kind's identity rules."""
        mine = self.identity
        return other.identity[: len(mine)] == mine

    def __str__(self) -> str:
        if not self._text:
            object.__setattr__(self, "_text", "/".join(f"{kind}[{key}]" for kind, key in self.segments))
        return self._text

    def collection_path(self, ids: Mapping[Address, str]) -> str:
        """The API path of the collection this object lives in, its ancestors' ids taken from `ids`."""
        return self.kind.collection_path.format(**self._parent_ids(ids))

    def instance_path(self, object_id: str, ids: Mapping[Address, str]) -> str:
        return self.kind.instance_path.format(id=object_id, **self._parent_ids(ids))

    def _parent_ids(self, ids: Mapping[Address, str]) -> dict[str, str]:
        """The `{service_sid}` / `{rate_limit_sid}` values of the ancestors of this address."""
        values: dict[str, str] = {}
        for depth in range(1, len(self.segments)):
            ancestor = Address(self.segments[:depth])
            if ancestor not in ids:
                raise UnresolvedParent(ancestor)
            values[f"{self.segments[depth - 1][0]}_sid"] = ids[ancestor]
        return values


class UnresolvedParent(Exception):
    """A parent's id is not known (its create failed or never ran)."""


def _parse_segments(text: str) -> list[Segment]:
    segments: list[Segment] = []
    rest = text.strip()
    parent: str | None = None
    while rest:
        open_at = rest.find("[")
        if open_at <= 0:
            raise UsageError(f"invalid address {text!r}: expected kind[key], e.g. service[Acme Login]")
        kind = rest[:open_at]
        # The key ends at the last "]" that is followed by "/" or the end, so keys may hold brackets.
        close_at = _closing_bracket(rest, open_at)
        if close_at < 0:
            raise UsageError(f"invalid address {text!r}: missing ']'")
        key = rest[open_at + 1 : close_at]
        allowed = set(ROOT_KINDS) if parent is None else {k.name for k in KINDS[parent].children}
        if kind not in KINDS or kind not in allowed:
            expected = " or ".join(sorted(allowed)) or f"nothing: {parent} has no children"
            raise UsageError(f"invalid address {text!r}: {kind!r} cannot stand here (expected {expected})")
        segments.append((kind, key))
        parent = kind
        rest = rest[close_at + 1 :]
        if rest.startswith("/"):
            rest = rest[1:]
            if not rest:
                raise UsageError(f"invalid address {text!r}: trailing '/'")
        elif rest:
            raise UsageError(f"invalid address {text!r}: unexpected {rest!r}")
    if not segments:
        raise UsageError("empty address")
    return segments


def _closing_bracket(text: str, open_at: int) -> int:
    for i in range(open_at + 1, len(text)):
        if text[i] == "]" and (i + 1 == len(text) or text[i + 1] == "/"):
            return i
    return -1
