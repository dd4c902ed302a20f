"""libyaml's fast path parses into exactly the Document and problems of the pure-Python composer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from verifyctl.config import yaml_source
from verifyctl.config.limits import DEFAULT_LIMITS, YamlLimits
from verifyctl.config.yaml_source import parse_yaml

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "config"
FILES = sorted([*FIXTURES.rglob("*.yaml"), *(ROOT / "examples").rglob("*.yaml")])

pytestmark = pytest.mark.skipif(yaml_source._CParser is None, reason="PyYAML was built without libyaml")


def both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast = parse_yaml("f.yaml", data)
    with monkeypatch.context() as patch:
        patch.setattr(yaml_source, "_compose_with_libyaml", lambda text, limits: None)
        pure = parse_yaml("f.yaml", data)
    return fast, pure


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fixtures_and_examples_parse_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, pure = both_ways(path.read_bytes(), monkeypatch)
    assert fast == pure


def test_a_valid_file_takes_the_libyaml_path() -> None:
    text = (ROOT / "examples" / "multi-service.yaml").read_text(encoding="utf-8")
    assert yaml_source._compose_with_libyaml(text, DEFAULT_LIMITS) is not None


@pytest.mark.parametrize(
    "text",
    ["a: [", "a: 1\n---\nb: 2\n", "", "a: \x07\n", "a: \ufeffb\n", "a: *nope\n"],
)
def test_problem_files_are_left_to_the_python_composer(text: str) -> None:
    assert yaml_source._compose_with_libyaml(text, DEFAULT_LIMITS) is None


@pytest.mark.parametrize(
    "text",
    [
        "[" * 40 + "]" * 40,
        "a: &a [1, 2, 3]\nb: [*a, *a, *a, *a]\n",
        "a: &a [x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b, *b]\n",
        "- " + "x" * 50 + "\n" + "- y\n" * 20,
        "a: &s " + "x" * 30 + "\nb: [*s, *s]\n",
        "{a: 1, b: 2, c: 3, d: [4, 5, 6, 7]}\n",  # 9 values: keys are not counted
    ],
)
def test_a_crossed_limit_is_reported_at_the_same_place_both_ways(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny limits, so that each text crosses one of them: libyaml's event count and the Python
    # composer's name the same place in the same words.
    limits = YamlLimits(max_values=8, max_text=70, max_depth=32)
    fast = parse_yaml("f.yaml", text.encode(), limits)
    with monkeypatch.context() as patch:
        patch.setattr(yaml_source, "_compose_with_libyaml", lambda text, limits: None)
        pure = parse_yaml("f.yaml", text.encode(), limits)
    assert fast == pure
    assert fast[0] is None and len(fast[1]) == 1


scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.floats(allow_nan=False)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)
styles = st.sampled_from([None, False, True])


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, styles, st.booleans())
def test_random_documents_parse_the_same(document: Any, flow: bool | None, unicode: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=unicode)
    patch = pytest.MonkeyPatch()
    try:
        fast, pure = both_ways(text.encode("utf-8"), patch)
    finally:
        patch.undo()
    assert fast == pure
