"""The one YAML path: any document reads back as the data it was written from, every value placed."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tests.trees import places
from verifyctl.config.yaml_source import parse_yaml

# NEL and the Unicode line and paragraph separators are line breaks to YAML: not kept in a string.
text = st.text(st.characters(blacklist_characters="\x85\u2028\u2029"), max_size=12)
leaves = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | text
documents = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([None, False, True]), st.booleans(), st.booleans())
def test_a_document_reads_back_as_written_with_every_value_placed(
    document: Any, flow: bool | None, unicode: bool, twice: bool
) -> None:
    # Written twice in one document, the same object is dumped once with an anchor and once as an alias.
    written = {"a": document, "b": document} if twice else {"a": document}
    text = yaml.safe_dump(written, default_flow_style=flow, allow_unicode=unicode)
    parsed, problems = parse_yaml("f.yaml", text.encode("utf-8"))
    assert problems == []
    assert parsed is not None and parsed.data == written
    assert all(loc in parsed.values for loc in places(written))
    if twice and isinstance(document, dict | list):
        assert parsed.data["a"] is not parsed.data["b"]  # a load changes one without the other


def test_a_merge_takes_the_keys_not_written_and_their_places() -> None:
    text = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n"
    parsed, problems = parse_yaml("f.yaml", text.encode())
    assert problems == [] and parsed is not None
    assert parsed.data["use"] == {"y": 3, "x": 1}
    assert parsed.position(("use", "x")) == parsed.position(("base", "x"))
    assert parsed.key_position(("use", "y")).line == 4
    assert not any(-2 in loc or -1 in loc for loc in parsed.values)


def test_an_undefined_or_repeated_anchor_is_a_located_problem() -> None:
    assert [str(p) for p in parse_yaml("f.yaml", b"a: *nowhere\n")[1]] == [
        "f.yaml:1:4: invalid YAML: found undefined alias 'nowhere'"
    ]
    assert [str(p) for p in parse_yaml("f.yaml", b"a: &x 1\nb: &x 2\n")[1]] == [
        "f.yaml:2:4: invalid YAML: second occurrence (found duplicate anchor 'x'; first occurrence on line 1)"
    ]


def test_a_key_that_is_a_list_is_dropped_with_its_value() -> None:
    parsed, problems = parse_yaml("f.yaml", b"? [a]\n: 1\nb: 2\n")
    assert [str(p) for p in problems] == ["f.yaml:1:3: a key must be a plain string, not a list or mapping"]
    assert parsed is not None and parsed.data == {"b": 2}
