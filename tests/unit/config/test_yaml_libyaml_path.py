"""libyaml's fast paths (events straight to data, or nodes) parse as the pure-Python composer does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from verifyctl.config import yaml_source
from verifyctl.config.limits import DEFAULT_LIMITS, Budget, OverLimit, YamlLimits
from verifyctl.config.yaml_events import compose_plain
from verifyctl.config.yaml_schema import plain_tag_resolver
from verifyctl.config.yaml_source import may_cross_a_bound, parse_yaml

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "config"
FILES = sorted([*FIXTURES.rglob("*.yaml"), *(ROOT / "examples").rglob("*.yaml")])

pytestmark = pytest.mark.skipif(yaml_source._CParser is None, reason="PyYAML was built without libyaml")


def three_ways(
    data: bytes, monkeypatch: pytest.MonkeyPatch, limits: YamlLimits = DEFAULT_LIMITS
) -> list[Any]:
    """What parse_yaml gives as it is (a plain file goes straight from libyaml's events to data), through
    libyaml's nodes only, and through the pure-Python composer only."""
    found = [parse_yaml("f.yaml", data, limits)]
    with monkeypatch.context() as patch:
        patch.setattr(yaml_source, "_compose_plain", lambda name, text, limits: None)
        found.append(parse_yaml("f.yaml", data, limits))
        patch.setattr(yaml_source, "_compose_with_libyaml", lambda text, limits: None)
        found.append(parse_yaml("f.yaml", data, limits))
    return found


def both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast, nodes, pure = three_ways(data, monkeypatch)
    assert nodes == pure
    return fast, pure


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fixtures_and_examples_parse_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, pure = both_ways(path.read_bytes(), monkeypatch)
    assert fast == pure


def test_a_valid_file_takes_the_libyaml_path() -> None:
    text = (ROOT / "examples" / "multi-service.yaml").read_text(encoding="utf-8")
    assert yaml_source._compose_plain("f.yaml", text, DEFAULT_LIMITS) is not None
    assert yaml_source._compose_with_libyaml(text, DEFAULT_LIMITS) is not None


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "d: &d {k: 1}\ne:\n  <<: *d\n",
        "a: !!str 1\n",
        "a: !!int 1\n",
        "? [a, b]\n: 1\n",
        "a: 1\na: 2\n",
        "1: one\n",
    ],
)
def test_anchors_aliases_tags_merges_and_repeated_keys_take_the_node_path(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = yaml_source._compose_plain("f.yaml", text, DEFAULT_LIMITS)
    assert (plain is None) == (text != "1: one\n")  # a number as a key is a plain key
    fast, nodes, pure = three_ways(text.encode(), monkeypatch)
    assert fast == nodes == pure


@pytest.mark.parametrize(
    "text",
    [
        "a: 1" + "9" * 5000 + "\n",  # more digits than Python converts: a located problem
        "hello\n",
        "~\n",
        '"<<": 1\n',  # a quoted << is a key like any other
        "a: [0x1F, 0o17, -.inf, .nan, 1e3, null, ~, true, False]\n",
        "a: 'it''s'\nb: \"tab\\there\"\nc: |\n  two\n  lines\n",
        "? a\n? b\n",
        "{a, b, c: 1}\n",
        "- - - x\n  - y\n",
    ],
)
def test_plain_files_take_the_one_pass_and_parse_as_the_other_paths(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert yaml_source._compose_plain("f.yaml", text, DEFAULT_LIMITS) is not None
    fast, nodes, pure = three_ways(text.encode(), monkeypatch)
    assert fast == nodes == pure


@pytest.mark.parametrize(
    "text",
    ["a: [", "a: 1\n---\nb: 2\n", "", "a: \x07\n", "a: \ufeffb\n", "a: *nope\n"],
)
def test_problem_files_are_left_to_the_python_composer(text: str) -> None:
    assert yaml_source._compose_plain("f.yaml", text, DEFAULT_LIMITS) is None
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
        "[[[[[[[[[[1]]]]]]]]]]\n",
        "a:\n  b:\n    c:\n      d:\n        e:\n          f:\n            g: 1\n",
        "k" * 71 + ": 1\n",  # the text of a key counts too
        "- " + "x" * 30 + "\n- " + "y" * 41 + "\n",
    ],
)
def test_a_crossed_limit_is_reported_at_the_same_place_both_ways(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny limits, so that each text crosses one of them: libyaml's event count and the Python
    # composer's name the same place in the same words.
    limits = YamlLimits(max_values=8, max_text=70, max_depth=5)
    fast, nodes, pure = three_ways(text.encode(), monkeypatch, limits)
    assert fast == nodes == pure
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


CROSSING = [
    "[" * 40 + "]" * 40,
    "- " + "x" * 50 + "\n" + "- y\n" * 20,
    "{a: 1, b: 2, c: 3, d: [4, 5, 6, 7]}\n",
    "k" * 71 + ": 1\n",
    "- " + "x" * 30 + "\n- " + "y" * 41 + "\n",
]


@pytest.mark.parametrize("text", CROSSING)
def test_the_one_pass_counts_each_bound_where_the_event_count_does(text: str) -> None:
    # parse_yaml leaves a file that might cross the values or text bound to the counting path; called
    # directly, the one pass still stops at the very event the Budget stops at, in the same words.
    limits = YamlLimits(max_values=8, max_text=70, max_depth=5)
    with pytest.raises(OverLimit) as counted:
        budget = Budget(limits)
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            budget.feed(event)
    with pytest.raises(OverLimit) as built:
        compose_plain("f.yaml", text, yaml.CSafeLoader(text), plain_tag_resolver(), limits)
    assert (built.value.message, built.value.mark.index) == (counted.value.message, counted.value.mark.index)


def test_a_file_that_may_hold_too_many_values_is_counted_before_it_is_built() -> None:
    text = "version: 1\nservices: [" + "1," * 5000 + "1]\n"
    assert may_cross_a_bound(text, YamlLimits(max_values=1000))
    assert yaml_source._compose_plain("f.yaml", text, YamlLimits(max_values=1000)) is None
    assert not may_cross_a_bound(text, YamlLimits(max_values=6000))
    assert may_cross_a_bound(text, YamlLimits(max_text=len(text) - 1))


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, styles, st.booleans())
def test_the_marks_bound_the_values_and_the_text(document: Any, flow: bool | None, unicode: bool) -> None:
    # The claim may_cross_a_bound rests on: whenever a file without aliases holds more values or more
    # text than the limits allow, it says so (it may also say so of a file within them).
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=unicode)
    budget = Budget(DEFAULT_LIMITS)
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        budget.feed(event)
    assert may_cross_a_bound(text, YamlLimits(max_values=budget.values - 1))
    assert budget.text == 0 or may_cross_a_bound(text, YamlLimits(max_text=budget.text - 1))


@pytest.mark.parametrize(
    "text",
    ["{a, b, c}\n", "? a\n? b\n", "- \n-\n-\n", "[a, b, [c, d], {e: f, g}]\n", "a:\nb:\nc: [,]\n"],
)
def test_values_left_out_are_bounded_by_their_marks_too(text: str) -> None:
    budget = Budget(DEFAULT_LIMITS)
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            budget.feed(event)
    except yaml.YAMLError:
        return  # not YAML: libyaml refuses it before any value is built
    assert may_cross_a_bound(text, YamlLimits(max_values=budget.values - 1))
