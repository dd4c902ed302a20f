"""The plan's fast JSON writer gives exactly the text of json.dumps(indent=2, ensure_ascii=False)."""

from __future__ import annotations

import json
import math
from enum import Enum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verifyctl.plan.json_text import dumps_indented

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=30,
)


@given(values)
def test_same_text_as_the_standard_library(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


class Colour(str, Enum):
    RED = "red"


def test_unusual_values_fall_back_to_the_standard_library() -> None:
    for value in [{1: "int key"}, {"enum": Colour.RED}, {"t": (1, [2, ()])}, [math.inf, {}], {"": []}]:
        assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [{"x": object()}, [{1, 2}]])
def test_non_json_values_raise_type_error_like_the_standard_library(value: Any) -> None:
    with pytest.raises(TypeError, match="is not JSON serializable"):
        dumps_indented(value)
