"""A saved plan of a fleet: one plan per member, the fleet's name, its shard and its member set."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from verifyctl.config.models import ENVIRONMENT_NAME
from verifyctl.plan.model import FORMAT_VERSION, Plan, mask_sid, sid_digest
from verifyctl.plan.saved import SavedPlan, printable, saved_plan_of

_SHARD = re.compile(r"^[1-9][0-9]{0,5}/[1-9][0-9]{0,5}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# A member's name is a subaccount's friendly name: Twilio allows up to 64 characters.
_MEMBER_NAME = 256


@dataclass(frozen=True)
class SavedMember:
    """One member's saved plan, by the member's name."""

    name: str
    saved: SavedPlan


@dataclass(frozen=True)
class SavedFleet:
    """A fleet's saved plan read back (hostile until checked): members by name, each with its plan."""

    fleet: str
    shard: str  # "K/N", or "" for the whole fleet
    members: tuple[SavedMember, ...]
    file: str = ""

    @property
    def member_set(self) -> frozenset[str]:
        """The members' account SIDs, by digest."""
        return frozenset(member.saved.sid_sha256 for member in self.members)

    def member(self, account_sid: str) -> SavedMember | None:
        digest = sid_digest(account_sid)
        return next((m for m in self.members if m.saved.sid_sha256 == digest), None)


def fleet_plan_document(fleet: str, shard: str, members: Sequence[tuple[str, Plan]]) -> str:
    """The saved plan file of a fleet: `format_version`, `fleet`, `shard`, the `member_set` (the SIDs'
    digests, sorted) and `members` (name, masked account and plan, in the fleet's order)."""
    lines = [
        f'  "format_version": {FORMAT_VERSION}',
        f'  "fleet": {json.dumps(fleet)}',
        f'  "shard": {json.dumps(shard or None)}',
        f'  "member_set": {json.dumps(sorted(sid_digest(plan.account_sid) for _, plan in members))}',
    ]
    entries = [
        f'    {{"name": {json.dumps(name, ensure_ascii=False)}, "account": '
        f"{json.dumps(mask_sid(plan.account_sid))}, "
        f'"plan": {_indented(plan.to_json())}}}'
        for name, plan in members
    ]
    body = ",\n".join(entries)
    lines.append(f'  "members": [\n{body}\n  ]' if entries else '  "members": []')
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _indented(document: str) -> str:
    return document.rstrip("\n").replace("\n", "\n    ")


def saved_fleet_of(data: Any) -> SavedFleet:
    """The saved fleet plan a decoded JSON document holds; ValueError naming the first key that is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the plan must be a JSON object")
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"format_version is {_shown(data.get('format_version'))}, not {FORMAT_VERSION}: it was made by "
            "another version of verifyctl; run plan again"
        )
    fleet = data.get("fleet")
    if not isinstance(fleet, str) or len(fleet) > 64 or not re.match(ENVIRONMENT_NAME, fleet):
        raise ValueError(f"fleet is not an environment name: {_shown(fleet)}")
    shard = data.get("shard")
    if shard is not None and (not isinstance(shard, str) or not _SHARD.match(shard)):
        raise ValueError(f"shard is not K/N: {_shown(shard)}")
    listed = data.get("members")
    if not isinstance(listed, list):
        raise ValueError("members must be a JSON array")
    members = tuple(_member(item, f"members[{i}]", fleet) for i, item in enumerate(listed))
    member_set = data.get("member_set")
    if not isinstance(member_set, list) or not all(
        isinstance(d, str) and _DIGEST.match(d) for d in member_set
    ):
        raise ValueError("member_set must be a JSON array of sha256: digests")
    if len(set(member_set)) != len(member_set) or set(member_set) != {m.saved.sid_sha256 for m in members}:
        raise ValueError("member_set does not match the members' accounts")
    if len(members) != len(member_set):
        raise ValueError("a member's account appears twice in members")
    return SavedFleet(fleet, shard or "", members)


def _member(item: Any, where: str, fleet: str) -> SavedMember:
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be a JSON object")
    name = item.get("name")
    if not isinstance(name, str) or not name or len(name) > _MEMBER_NAME:
        raise ValueError(f"{where}.name is not a member name: {_shown(name)}")
    plan = item.get("plan")
    # A member's plan is made for environment FLEET/MEMBER, MEMBER its name (any friendly name): it is
    # held to the name the file gives the member, not to the pattern of an environment's name.
    environment = plan.get("environment") if isinstance(plan, dict) else None
    if isinstance(plan, dict) and environment is not None:
        if environment != f"{fleet}/{name}":
            raise ValueError(f"{where}.plan.environment is {_shown(environment)}, not {fleet}/MEMBER")
        plan = {**plan, "environment": None}
    try:
        saved = saved_plan_of(plan)
    except ValueError as error:
        raise ValueError(f"{where}.plan: {error}") from None
    if environment is not None:
        saved = replace(saved, plan=replace(saved.plan, environment=environment))
    if not _DIGEST.match(saved.sid_sha256):
        raise ValueError(f"{where}.plan.account.sid_sha256 is not a sha256: digest")
    return SavedMember(name, saved)


def _shown(value: Any) -> str:
    return printable(json.dumps(value, ensure_ascii=True, default=str))[:60]
