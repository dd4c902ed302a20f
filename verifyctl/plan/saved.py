"""A saved plan read back from its file (hostile until checked), and how it is held to a plan made anew."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from verifyctl.config.models import ENVIRONMENT_NAME
from verifyctl.config.reading import Unreadable, read_file, root_of
from verifyctl.errors import UsageError, VerifyctlError
from verifyctl.plan.model import FORMAT_VERSION, Action, Change, Plan, sid_digest
from verifyctl.resources.addresses import Address
from verifyctl.resources.records import DesiredRecord

# A plan of tens of thousands of changes is a few megabytes; a bigger file is not a plan.
MAX_PLAN_BYTES = 128 * 1024 * 1024
_SHOWN_VALUE = 60


class PlanFileError(VerifyctlError):
    """The saved plan cannot be read, or is not a verifyctl plan (exit 1; nothing is sent)."""


@dataclass(frozen=True)
class SavedPlan:
    """A plan read back from a file: it names its account by masked SID and digest only, and the
    configuration it was made from by digest and file names."""

    plan: Plan
    masked_sid: str
    sid_sha256: str
    # The file it was read from, as given (to print the command that applies it).
    file: str = ""
    # The sha256 of the file's bytes, as read (apply's report names the reviewed file by it).
    sha256: str = ""

    def is_for(self, account_sid: str, api_url: str) -> bool:
        return (self.sid_sha256, self.plan.api_url) == (sid_digest(account_sid), api_url)

    def how_to_apply(self) -> str:
        """How to apply this plan with the files it names: a command quoted to work as printed."""
        recorded = self.plan
        words = ["verifyctl", "apply", "--plan", self.file or "FILE", *recorded.files]
        if recorded.environment:
            words += ["--env", recorded.environment]
        if recorded.api_url == "local":
            words.append("--local")
        command = " ".join(shlex.quote(word) for word in words)
        if not recorded.files or not command.isprintable() or len(command) > 2000:
            return "give the configuration files it was made from"
        return f"apply it with the files it was made from: {command}"


def read_saved_plan(path: str, outside_links: bool = False) -> SavedPlan:
    """Read and check a saved plan file: a regular file within the bound (inside its own directory unless
    `outside_links`), of the current format."""
    raw = read_plan_file(path, outside_links)
    saved = parse_plan_file(path, raw, saved_plan_of)
    return replace(saved, file=path, sha256="sha256:" + hashlib.sha256(raw).hexdigest())


def read_plan_file(path: str, outside_links: bool = False) -> bytes:
    """The bytes of a saved plan file, read through the bound (inside its own directory unless
    `outside_links`)."""
    try:
        return read_file(path, MAX_PLAN_BYTES, None if outside_links else root_of(path))
    except Unreadable as error:
        raise PlanFileError(f"cannot read the saved plan {printable(path)}: {error.reason}") from None


T = TypeVar("T")


def parse_plan_file(path: str, raw: bytes, parse: Callable[[Any], T]) -> T:
    """The JSON of a plan file given to `parse`; PlanFileError naming what is wrong."""
    try:
        return parse(json.loads(raw))
    except (ValueError, RecursionError) as error:
        raise PlanFileError(f"{printable(path)} is not a verifyctl plan file: {error}") from None


def saved_plan_of(data: Any) -> SavedPlan:
    """The saved plan a decoded JSON document holds; ValueError naming the first key that is wrong."""
    top = _object(data, "the plan")
    version = top.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"format_version is {_shown(version)}, not {FORMAT_VERSION}: it was made by another version of "
            "verifyctl; run plan again"
        )
    account = _object(top.get("account"), "account")
    configuration = _object(top.get("configuration"), "configuration")
    changes = _list(top.get("changes"), "changes")
    ids = _object(top.get("ids", {}), "ids")
    plan = Plan(
        changes=tuple(change_of(item, f"changes[{i}]") for i, item in enumerate(changes)),
        ids={_address(key, "ids"): _text(value, f"ids[{key!r}]") for key, value in ids.items()},
        api_url=_text(top.get("api_url"), "api_url"),
        account_name=_text(account.get("friendly_name"), "account.friendly_name", optional=True),
        targets=tuple(
            str(_address(t, f"targets[{i}]")) for i, t in enumerate(_list(top.get("targets", []), "targets"))
        ),
        environment=_environment(top.get("environment")),
        configuration=_text(configuration.get("sha256"), "configuration.sha256"),
        files=tuple(
            _file_name(name, f"configuration.files[{i}]")
            for i, name in enumerate(_list(configuration.get("files"), "configuration.files"))
        ),
    )
    return SavedPlan(
        plan,
        _text(account.get("sid"), "account.sid"),
        _text(account.get("sid_sha256"), "account.sid_sha256"),
    )


def change_of(data: Any, where: str) -> Change:
    """One change of a saved plan, checked key by key."""
    item = _object(data, where)
    address = _address(item.get("address"), f"{where}.address")
    if item.get("kind") != address.kind.name:
        raise ValueError(f"{where}.kind is {_shown(item.get('kind'))}, not {address.kind.name!r}")
    actions = [action.value for action in Action]
    if item.get("action") not in actions:
        raise ValueError(f"{where}.action is {_shown(item.get('action'))}, not one of {', '.join(actions)}")
    deleted_with = item.get("deleted_with")
    sensitive = _object(item.get("sensitive", {}), f"{where}.sensitive")
    return Change(
        address=address,
        action=Action(item["action"]),
        before=_fields(item.get("before"), f"{where}.before"),
        after=_fields(item.get("after"), f"{where}.after"),
        changed_fields=tuple(
            _text(key, f"{where}.changed_fields")
            for key in _list(item.get("changed_fields", []), f"{where}.changed_fields")
        ),
        id=_text(item.get("id"), f"{where}.id", optional=True) or None,
        reason=_text(item.get("reason"), f"{where}.reason", optional=True),
        deleted_with=_address(deleted_with, f"{where}.deleted_with") if deleted_with is not None else None,
        sensitive={
            side: {
                _text(key, f"{where}.sensitive.{side}"): _text(value, f"{where}.sensitive.{side}")
                for key, value in _object(sensitive.get(side), f"{where}.sensitive.{side}").items()
            }
            for side in ("before", "after")
            if side in sensitive
        },
    )


def configuration_digest(
    services: Sequence[DesiredRecord],
    safe_list: Sequence[DesiredRecord],
    *,
    prune: bool,
    policy: Mapping[str, Any] | None,
    environment: str,
) -> str:
    """A digest of the desired state a plan is made from: what the files ask of this environment
    (values after substitution), the prune switch and the policy; comments and layout do not count.

    repr() of plain values (str, int, bool, None, lists; fields sorted by key) is deterministic and
    costs a fraction of a sorted JSON encoding on 20,000 objects.
    """
    document = (
        environment,
        prune,
        tuple(_record(record) for record in services),
        tuple(_record(record) for record in safe_list),
        json.dumps(policy, sort_keys=True),
    )
    return "sha256:" + hashlib.sha256(repr(document).encode("utf-8")).hexdigest()


def differences(saved: Plan, fresh: Plan) -> list[str]:
    """Each change in which the saved plan and the plan made now differ, as `ADDRESS (what)`."""
    saved_changes = {str(c.address): _comparable(c) for c in saved.changes}
    fresh_changes = {str(c.address): _comparable(c) for c in fresh.masked().changes}
    found = []
    if len(saved_changes) != len(saved.changes):
        found.append("an address appears twice in the saved plan")
    kinds = {str(c.address): c.kind for c in (*saved.changes, *fresh.changes)}
    for address in sorted(saved_changes.keys() | fresh_changes.keys()):
        if address not in fresh_changes:
            found.append(f"{address} (not planned now)")
        elif address not in saved_changes:
            found.append(f"{address} (planned now, not in the saved plan)")
        elif saved_changes[address] != fresh_changes[address]:
            keys = _differing_keys(saved_changes[address], fresh_changes[address], kinds[address].field_keys)
            found.append(f"{address} ({', '.join(keys)})")
    if not found and [str(c.address) for c in saved.changes] != [str(c.address) for c in fresh.changes]:
        found.append("the changes are in another order")
    return found


def printable(name: str) -> str:
    """A name from a file or the command line, as a message shows it: on one line, not too long."""
    shown = name if name.isprintable() else json.dumps(name)
    return shown if len(shown) <= 200 else shown[:200] + "…"


def _record(record: DesiredRecord) -> tuple[Any, ...]:
    return (
        record.kind.name,
        record.key,
        tuple(sorted(record.fields.items())),
        record.id,
        record.absent,
        record.default_template,
        record.formerly,
        tuple(
            (kind, tuple(_record(child) for child in children))
            for kind, children in sorted(record.children.items())
        ),
    )


def _comparable(change: Change) -> Any:
    """A change as plain JSON values, so that a change read from a file and one made now compare."""
    return json.loads(json.dumps(change.to_dict(), default=str))


def _differing_keys(saved: dict[str, Any], fresh: dict[str, Any], field_keys: Sequence[str]) -> list[str]:
    keys: list[str] = []
    for key in sorted(saved.keys() | fresh.keys()):
        if saved.get(key) == fresh.get(key):
            continue
        old, new = saved.get(key), fresh.get(key)
        if key in ("before", "after") and isinstance(old, dict) and isinstance(new, dict):
            differing = {f for f in {*old, *new} if old.get(f) != new.get(f)}
            keys.extend(f"{key}.{f}" for f in sorted(differing & set(field_keys)))
            if differing - set(field_keys):
                keys.append(f"{key}: fields its kind does not have")
        else:
            keys.append(key)
    return keys


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= _SHOWN_VALUE else text[:_SHOWN_VALUE] + "…"


def _kind_of(value: Any) -> str:
    for kind, name in ((dict, "an object"), (list, "an array"), (str, "a string"), (bool, "a boolean")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else "a number"


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a JSON object, not {_kind_of(value)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a JSON array, not {_kind_of(value)}")
    return value


def _text(value: Any, where: str, *, optional: bool = False) -> str:
    if optional and value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a string, not {_kind_of(value)}")
    return value


def _environment(value: Any) -> str:
    """An environment's name, or a fleet member's `FLEET/MEMBER` (MEMBER a subaccount's friendly name or
    SID: any printable text)."""
    name = _text(value, "environment", optional=True)
    fleet, slash, member = name.partition("/")
    bad_member = slash and (not member or len(member) > 256 or not member.isprintable())
    if name and (len(fleet) > 64 or not re.match(ENVIRONMENT_NAME, fleet) or bad_member):
        raise ValueError(f"environment is not an environment name: {_shown(name)}")
    return name


def _file_name(value: Any, where: str) -> str:
    name = _text(value, where)
    if not name or "\0" in name:
        raise ValueError(f"{where} is not a file name: {_shown(name)}")
    return name


def _fields(value: Any, where: str) -> dict[str, Any] | None:
    return None if value is None else _object(value, where)


def _address(value: Any, where: str) -> Address:
    try:
        return Address.parse(_text(value, where))
    except UsageError:
        raise ValueError(f"{where} is not an object address: {_shown(value)}") from None
