"""Places in a big file: a problem deep in it, and a place asked after the load, name the right line."""

from __future__ import annotations

import pytest

from tests.benchmarks.config_load import config_text
from verifyctl.config.loader import load_sources
from verifyctl.errors import ConfigError

SERVICES = 2000
TEXT = config_text(SERVICES)
LINES = TEXT.splitlines()


def line_of(needle: str, start: int = 0) -> int:
    """The 1-based number of the first line at or after line `start` (1-based) that holds `needle`."""
    return next(number for number, line in enumerate(LINES, 1) if number >= start and needle in line)


def test_the_place_of_the_last_service_and_of_its_keys_is_worked_out_when_asked() -> None:
    config = load_sources([("big.yaml", TEXT.encode())], {})
    last = config.services[-1]
    start = line_of(f"friendly_name: {last.friendly_name}")
    assert config.place(last) == ("big.yaml", start, 5)
    assert config.place(last, "code_length") == ("big.yaml", start + 1, 5)
    webhook = (last.webhooks or [])[0]
    assert config.location(webhook) == f"big.yaml:{line_of('webhooks:', start) + 1}:9"


def test_an_object_of_another_load_has_no_place() -> None:
    config = load_sources([("big.yaml", TEXT.encode())], {})
    other = load_sources([("big.yaml", TEXT.encode())], {})
    config.place(config.services[0])
    with pytest.raises(ValueError, match="was not loaded into this Config"):
        config.place(other.services[0])


def test_a_mistake_in_the_1999th_service_names_its_line() -> None:
    name = load_sources([("big.yaml", TEXT.encode())], {}).services[1998].friendly_name
    start = line_of(f"friendly_name: {name}\n".strip())
    assert LINES[start] == "    code_length: 6"
    broken = "\n".join([*LINES[:start], "    code_length: 60", *LINES[start + 1 :]]) + "\n"
    with pytest.raises(ConfigError) as caught:
        load_sources([("big.yaml", broken.encode())], {})
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("big.yaml", start + 1, 18)
    assert problem.path == "services[1998].code_length"
