"""Explicit YAML tags follow the YAML 1.2 core schema: a good value loads, a bad one is a located problem."""

from __future__ import annotations

import math
from typing import Any

import pytest

from verifyctl.config.yaml_source import parse_yaml


@pytest.mark.parametrize(
    "written, value",
    [
        ("!!bool true", True),
        ("!!bool FALSE", False),
        ("!!int 0x1F", 31),
        ("!!int 0o17", 15),
        ("!!int -12", -12),
        ("!!float 1e3", 1000.0),
        ("!!float -.INF", -math.inf),
        ("!!float .5", 0.5),
        ("!!str 123", "123"),
        ("!!str yes", "yes"),
        ("!!null ~", None),
    ],
)
def test_a_tagged_value_in_core_form_loads(written: str, value: Any) -> None:
    document, problems = parse_yaml("f.yaml", f"a: {written}\n".encode())
    assert problems == []
    assert document is not None and document.data == {"a": value}


@pytest.mark.parametrize(
    "written, problem",
    [
        ("!!bool yes", "'yes' is not a valid !!bool"),
        ("!!bool 1", "'1' is not a valid !!bool"),
        ("!!int abc", "'abc' is not a valid !!int"),
        ("!!int 1_000", "'1_000' is not a valid !!int"),
        ("!!float abc", "'abc' is not a valid !!float"),
        ("!!float 1,5", "'1,5' is not a valid !!float"),
        ("!!null 0", "'0' is not a valid !!null"),
        ("!!timestamp 2001-12-14", "unsupported YAML tag '!!timestamp'"),
        ("!!python/object:os.system x", "unsupported YAML tag '!!python/object:os.system'"),
        ("!local x", "unsupported YAML tag '!local'"),
        ("!!map x", "unsupported YAML tag '!!map'"),
        ("!!str [1]", "unsupported YAML tag '!!str'"),
        ("!!int " + "9" * 5000, "number is too large"),
    ],
)
def test_a_bad_tagged_value_is_a_located_problem(written: str, problem: str) -> None:
    document, problems = parse_yaml("f.yaml", f"a: {written}\n".encode())
    assert [p.file for p in problems] == ["f.yaml"]
    assert (problems[0].line, problems[0].column, problems[0].path) == (1, 4, "a")
    assert problems[0].message.startswith(problem)
    assert document is not None and document.data == {"a": None}


def test_a_long_bad_value_is_cut_short_in_its_message() -> None:
    _, problems = parse_yaml("f.yaml", f"a: !!int {'x' * 100_000}\n".encode())
    assert len(problems[0].message) < 200
    assert "(100000 characters)" in problems[0].message
