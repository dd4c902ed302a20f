"""Writes read back: a write's answer against what was sent, compared as the plan's diff compares."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verifyctl.plan.diff import changed_fields
from verifyctl.plan.model import Action, Change
from verifyctl.plan.sensitive import SENSITIVE, mask
from verifyctl.resources.addresses import Address
from verifyctl.resources.codec import decode_response


@dataclass(frozen=True)
class Difference:
    """A field the API stored otherwise than it was sent: the next plan would show it as a change."""

    address: Address
    field: str
    sent: Any
    stored: Any

    def describe(self, secrets: Collection[str] = ()) -> str:
        """`ADDRESS.FIELD: sent X, stored Y: write Y in the file`, sensitive values masked as in plans."""
        where = f"{self.address}.{self.field}"
        sent, stored = mask(self.sent, secrets), mask(self.stored, secrets)
        if _holds_secret(sent):
            # Twilio may have respelled the secret itself: then the stored value no longer contains it
            # and would show unmasked, so it is never shown.
            stored = SENSITIVE if not isinstance(stored, list) else [SENSITIVE]
        masked = sent != self.sent or stored != self.stored
        if masked and sent == stored:
            return (
                f"{where}: sent and stored differ in a sensitive part, which is not shown: write the "
                "value Twilio stores in the file"
            )
        said = f"{where}: sent {_shown(sent)}, stored {_shown(stored)}"
        if self.stored is None:
            return f"{said}: remove {self.field} from the file (Twilio keeps no value for it)"
        if masked:
            return f"{said}: write the stored value in the file (its sensitive parts are not shown)"
        return f"{said}: write {_shown(stored)} in the file"


def sent_fields(change: Change) -> tuple[str, ...]:
    """The fields a change's write sends that the plan manages: a create's every written field; an
    update's and a replace's changed fields (a replace also resends unwritten live values, which no
    plan compares, and written ones equal to the live value, which the API stored so before)."""
    assert change.after is not None
    keys = tuple(change.after) if change.action is Action.CREATE else change.changed_fields
    return tuple(key for key in keys if change.after.get(key) is not None)


def read_back(change: Change, answer: Mapping[str, Any]) -> tuple[Difference, ...]:
    """The sent fields that `answer` (the API's answer to the write) holds otherwise; empty when the
    write was stored as sent. Values are decoded and compared as the plan's diff does, so a value the
    diff takes as equal (a list in another order, a number as text) is equal here too."""
    kind = change.kind
    assert change.after is not None
    sent = {key: change.after[key] for key in sent_fields(change)}
    stored = decode_response(kind, answer)
    return tuple(
        Difference(change.address, key, sent[key], stored.get(key))
        for key in changed_fields(kind, sent, stored)
    )


def describe_all(differences: Sequence[Difference], secrets: Collection[str] = ()) -> list[str]:
    """One line per difference, in the order given."""
    return [difference.describe(secrets) for difference in differences]


def _holds_secret(shown: Any) -> bool:
    return shown == SENSITIVE or (isinstance(shown, list) and SENSITIVE in shown)


def _shown(value: Any) -> str:
    """A value as the YAML file would take it: JSON is YAML (strings quoted, lists in brackets)."""
    return json.dumps(value, ensure_ascii=False)
