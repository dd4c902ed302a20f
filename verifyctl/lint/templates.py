"""A live message template as the rules see it: its channels and each locale's approval status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TemplateInfo:
    """One live message template (`GET /v2/Templates`): its channels and each locale's approval status."""

    sid: str
    friendly_name: str
    channels: tuple[str, ...] = ()
    # Locale -> status as the API gives it (`approved`, `pending`, `rejected`, ...).
    statuses: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> TemplateInfo:
        """From one item of the `templates` list as the API returns it."""
        translations = item.get("translations")
        statuses = {
            str(locale): str(value.get("status") or "")
            for locale, value in (translations.items() if isinstance(translations, dict) else [])
            if isinstance(value, dict)
        }
        channels = tuple(str(c).lower() for c in item.get("channels") or [])
        return cls(str(item.get("sid") or ""), str(item.get("friendly_name") or ""), channels, statuses)

    def approved(self, locale: str) -> bool:
        return self.statuses.get(locale, "").lower() == "approved"
