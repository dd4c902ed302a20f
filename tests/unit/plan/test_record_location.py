"""A desired record's FILE:LINE:COL is worked out only when a message shows it."""

from __future__ import annotations

from verifyctl.config.loader import load_sources
from verifyctl.resources.from_config import desired_records
from verifyctl.resources.records import Location, locate_lazily

TEXT = b"version: 1\nservices:\n  - friendly_name: First\n  - friendly_name: Second\n    code_length: 8\n"


def test_the_place_is_worked_out_when_first_shown_and_not_before() -> None:
    asked: list[str] = []

    def locate(item: str) -> str:
        asked.append(item)
        return f"f.yaml:{len(item)}:1"

    where = locate_lazily(locate, "abc")
    assert asked == []  # made, not yet worked out
    assert f"({where})" == "(f.yaml:3:1)" and where == "f.yaml:3:1" and where
    assert asked == ["abc", "abc", "abc"]
    assert locate_lazily(None, "abc") == ""  # without a way to tell, no place


def test_records_of_a_loaded_file_name_their_services_lines() -> None:
    config = load_sources([("s.yaml", TEXT)], {})
    first, second = desired_records(config.services, config.location)
    assert isinstance(first.location, Location)
    assert str(first.location).startswith("s.yaml:3:")
    assert str(second.location).startswith("s.yaml:4:")
