"""The Plan value: ordered changes, their summary, and a stable JSON form that doubles as the saved plan."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from verifyctl.plan.sensitive import mask_fields
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import Kind

# The version of the JSON form; apply reads only its own (a saved plan is made again and compared, so
# a plan of another version could never compare equal). 4 records the configuration's digest.
FORMAT_VERSION = 4
# A plan that updates or deletes more than 30% of the live objects it covers (when there are at least
# 10) needs --force (docs/plans-and-apply.md).
THRESHOLD_RATIO = 0.30
THRESHOLD_MIN_OBJECTS = 10


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"


# slots: a plan over a large account holds tens of thousands of changes; no per-instance dict each.
@dataclass(frozen=True, slots=True)
class Change:
    """One change to one object. `before` is the live object as read; `after` what it will be."""

    address: Address
    action: Action
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    changed_fields: tuple[str, ...]
    # The live object's id (SID, or country for messaging configurations) for update/delete/replace.
    id: str | None = None
    reason: str = ""
    # Set on the children of a deleted or replaced object: the address whose delete takes this one
    # along. Apply sends nothing for it; the plan lists it so that a reviewer sees every effect.
    deleted_with: Address | None = None
    # A masked change (as shown, or read from a saved plan): "before"/"after" -> field -> digest of the
    # real value that the shown one masks (see plan/sensitive.py).
    sensitive: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def masked(self, secrets: frozenset[str]) -> Change:
        """This change as it may be shown: sensitive values masked, their digests recorded."""
        before, before_digests = mask_fields(self.before, secrets)
        after, after_digests = mask_fields(self.after, secrets)
        if not before_digests and not after_digests:
            return self
        # A change read from a saved plan is masked already: the digests it carries are the real ones.
        digests = {
            "before": {**before_digests, **self.sensitive.get("before", {})},
            "after": {**after_digests, **self.sensitive.get("after", {})},
        }
        return replace(self, before=before, after=after, sensitive={k: v for k, v in digests.items() if v})

    @property
    def kind(self) -> Kind:
        return self.address.kind

    @property
    def parent(self) -> Address | None:
        return self.address.parent

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": str(self.address),
            "kind": self.kind.name,
            "action": self.action.value,
            "id": self.id,
            "parent": str(self.parent) if self.parent else None,
            "changed_fields": list(self.changed_fields),
            "before": self.before,
            "after": self.after,
            "reason": self.reason or None,
            "deleted_with": str(self.deleted_with) if self.deleted_with else None,
            # Only on a change with masked values: a digest of each real value, by field.
            **({"sensitive": {k: dict(v) for k, v in self.sensitive.items()}} if self.sensitive else {}),
        }


@dataclass(frozen=True)
class Summary:
    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0

    @property
    def total(self) -> int:
        return self.add + self.change + self.destroy + self.replace

    def to_dict(self) -> dict[str, int]:
        return {"add": self.add, "change": self.change, "destroy": self.destroy, "replace": self.replace}


@dataclass(frozen=True)
class Plan:
    """What `apply` would do, made from desired and live state. Pure data; equal inputs give equal plans."""

    changes: tuple[Change, ...]
    # Live ids of every object the plan read, by address, so apply can address children of unchanged parents.
    ids: Mapping[Address, str] = field(default_factory=dict)
    # How many live objects the plan covered (for the safety threshold).
    covered: int = 0
    # A digest of every live object the plan read.
    fingerprint: str = ""
    account_sid: str = ""
    api_url: str = ""
    # The account's friendly name as the API reports it ("" when the credentials may not read it).
    account_name: str = ""
    # The --target addresses the plan was limited to (empty: the whole configuration).
    targets: tuple[str, ...] = ()
    # The policy's findings over the files (waived ones left out), as printed; and those of them that
    # are errors: apply refuses while there are any.
    findings: tuple[str, ...] = ()
    blocking: tuple[str, ...] = ()
    # The named environment (`--env`) the plan was made for; "" without environments.
    environment: str = ""
    # A digest of the desired state the plan was made from (plan/saved.py), and the files it was read from.
    configuration: str = ""
    files: tuple[str, ...] = ()
    # Live services no file declares and the plan leaves alone (no `prune`): (friendly name, SID).
    unmanaged: tuple[tuple[str, str], ...] = ()
    # How many services the account has live (a fleet's cap counts them); not part of the plan's value.
    live_services: int = field(default=0, compare=False)
    # Values substituted from `${secret:NAME}`: never written out, only used to mask what is shown.
    secrets: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def masked(self) -> Plan:
        """The plan as it may be shown or saved: `${secret:…}` values, URL userinfo and query strings
        masked as `(sensitive value)` (the diff was made on the real values)."""
        return replace(self, changes=tuple(change.masked(self.secrets) for change in self.changes))

    @property
    def summary(self) -> Summary:
        counts = {action: 0 for action in Action}
        for change in self.changes:
            counts[change.action] += 1
        return Summary(
            add=counts[Action.CREATE],
            change=counts[Action.UPDATE],
            destroy=counts[Action.DELETE],
            replace=counts[Action.REPLACE],
        )

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def destructive(self) -> list[Change]:
        """Changes that delete a live object: deletes, replaces, and what goes with them."""
        return [c for c in self.changes if c.action in (Action.DELETE, Action.REPLACE)]

    @property
    def touched(self) -> int:
        """Live objects the plan updates or deletes (children deleted with a parent included)."""
        return sum(1 for c in self.changes if c.action is not Action.CREATE)

    def needed_flags(self) -> list[tuple[str, str]]:
        """The apply flags this plan needs, each with why: a reviewer sees them before the merge job does."""
        flags = []
        deletes = len(self.destructive)
        if deletes:
            flags.append(("--allow-delete", f"{deletes} {'object' if deletes == 1 else 'objects'} deleted"))
        if self.covered >= THRESHOLD_MIN_OBJECTS and self.touched > THRESHOLD_RATIO * self.covered:
            share = self.touched / self.covered
            flags.append(
                (
                    "--force",
                    f"updates or deletes {self.touched} of {self.covered} live objects ({share:.0%}, "
                    f"more than {THRESHOLD_RATIO:.0%})",
                )
            )
        return flags

    def for_account(self, account_sid: str, api_url: str, account_name: str = "") -> Plan:
        """This plan, recording the account it was made for."""
        return replace(self, account_sid=account_sid, api_url=api_url, account_name=account_name)

    @property
    def where(self) -> str:
        """`account AC…cdef (Name) at URL`: the account and API a plan is for, as people read it."""
        url = "the embedded emulator" if self.api_url == "local" else self.api_url
        return f"account {self.account_label} at {url}"

    @property
    def account_label(self) -> str:
        """The account as shown to people: masked SID and, when known, its friendly name."""
        masked = mask_sid(self.account_sid)
        return f"{masked} ({self.account_name})" if self.account_name else masked

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "environment": self.environment or None,
            "account": {
                "sid": mask_sid(self.account_sid),
                "friendly_name": self.account_name or None,
                # Apply compares this to the account it talks to; the full SID need not be shown.
                "sid_sha256": sid_digest(self.account_sid),
            },
            "api_url": self.api_url,
            "configuration": {"sha256": self.configuration, "files": list(self.files)},
            "targets": list(self.targets),
            "guards": [{"flag": flag, "reason": reason} for flag, reason in self.needed_flags()],
            "findings": list(self.findings),
            "blocking_findings": list(self.blocking),
            "unmanaged": [{"friendly_name": name, "sid": sid} for name, sid in self.unmanaged],
            "summary": self.summary.to_dict(),
            "changes": [change.masked(self.secrets).to_dict() for change in self.changes],
            "ids": _by_text(self.ids),
            "covered": self.covered,
            "fingerprint": self.fingerprint,
        }

    def to_json(self) -> str:
        """The JSON plan: one top-level key a line and one change or id a line.

        A reviewer diffs saved plans line by line, and each line is written by the C encoder:
        `indent=` would switch the whole document to the pure-Python one, several times slower on a
        plan of thousands of changes.
        """
        lines = []
        for key, value in self.to_dict().items():
            if key == "changes" and value:
                items = ",\n".join(f"    {_compact(change)}" for change in value)
                lines.append(f'  "changes": [\n{items}\n  ]')
            elif key == "ids" and value:
                items = ",\n".join(
                    f"    {_compact(address)}: {_compact(sid)}" for address, sid in value.items()
                )
                lines.append(f'  "ids": {{\n{items}\n  }}')
            else:
                lines.append(f"  {_compact(key)}: {_compact(value)}")
        return "{\n" + ",\n".join(lines) + "\n}\n"


# One encoder for every line: json.dumps would build a new one per call.
_compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def mask_sid(sid: str) -> str:
    """`AC…cdef`: enough of an account SID to tell accounts apart, as Twilio's console shows it."""
    if len(sid) <= 8:
        return sid
    return f"{sid[:2]}…{sid[-4:]}"


def sid_digest(sid: str) -> str:
    return "sha256:" + hashlib.sha256(sid.encode("utf-8")).hexdigest() if sid else ""


def fingerprint(objects: Mapping[str, Mapping[str, Any]]) -> str:
    """A digest of the live objects read, fields by "ADDRESS#ID"; any live change alters it.

    repr() of the plain values a live record holds (str, int, bool, None, lists, in declaration order)
    is deterministic and costs a third of a sorted JSON encoding.
    """
    canonical = repr(sorted(objects.items()))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _by_text(ids: Mapping[Address, str]) -> dict[str, str]:
    """The ids keyed by address text, in text order (one dict, not a pair per entry to sort)."""
    by_text = {str(address): sid for address, sid in ids.items()}
    return {text: by_text[text] for text in sorted(by_text)}
