"""Safe List records: the desired entries of `safe_list:`, a live entry from its GET, and its API path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from verifyctl.config.models import SafeListNumberConfig
from verifyctl.resources.kinds import SAFE_LIST
from verifyctl.resources.records import DesiredRecord, LiveRecord, locate_lazily


def safe_list_records(
    entries: Sequence[SafeListNumberConfig],
    location: Callable[[SafeListNumberConfig], str] | None = None,
) -> list[DesiredRecord]:
    """One record per `safe_list:` entry, in configuration order."""
    return [
        DesiredRecord(
            kind=SAFE_LIST,
            key=entry.phone_number,
            fields={"phone_number": entry.phone_number},
            absent=entry.ensure == "absent",
            location=locate_lazily(location, entry),
        )
        for entry in entries
    ]


def live_safe_list_record(response: dict[str, Any]) -> LiveRecord:
    """The live entry a `GET /v2/SafeList/Numbers/{number}` answered; the number is its id."""
    number = str(response["phone_number"])
    return LiveRecord(kind=SAFE_LIST, key=number, fields={"phone_number": number}, id=number)


def number_path(number: str) -> str:
    """The instance path of a number, its `+` sent raw as the official twilio-python client sends it
    (`/SafeList/Numbers/{phone_number}`, unquoted): the form Twilio is known to read as the number.
    An E.164 number (validated by the config) holds nothing else that a path would need to escape."""
    return SAFE_LIST.instance_path.format(id=number)
