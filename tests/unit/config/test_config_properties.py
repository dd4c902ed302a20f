"""Property tests: whatever the input, the loader returns a Config or raises ConfigError, nothing else."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tests.trees import places as node_places
from verifyctl.config.loader import Config, load_sources
from verifyctl.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EXAMPLE_DATA = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.rglob("*.yaml"))]
# Kept small for CI; a longer hunt: python -m pytest --hypothesis-profile explore tests/unit/config -k random
SETTINGS = settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

KEYS = st.sampled_from(
    [
        "version",
        "services",
        "friendly_name",
        "code_length",
        "totp",
        "skew",
        "rate_limits",
        "buckets",
        "interval",
        "max",
        "webhooks",
        "event_types",
        "country",
        "from",
        "<<",
        "sid",
        "prune",
        "ensure",
    ]
) | st.text(max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from(["${X}", "${X:-6}", "${Y:-}", "$${Z}", "${", "${1}", "MG" + "0" * 32, "all", "*", "v2"])
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=30,
)
ENVIRON = st.dictionaries(st.sampled_from(["X", "Y", "Z"]), st.text(max_size=8), max_size=3)


def check(sources: list[tuple[str, bytes]], environ: dict[str, str]) -> None:
    try:
        config = load_sources(sources, environ)
    except ConfigError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.message
        return
    assert isinstance(config, Config)


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@SETTINGS
@given(data=VALUES, environ=ENVIRON)
def test_random_documents(data: Any, environ: dict[str, str]) -> None:
    check([("random.yaml", dump(data))], environ)


@SETTINGS
@given(services=st.lists(VALUES, max_size=3), environ=ENVIRON)
def test_random_services_in_a_well_formed_file(services: list[Any], environ: dict[str, str]) -> None:
    check([("random.yaml", dump({"version": 1, "services": services}))], environ)


@SETTINGS
@given(data=st.data(), environ=ENVIRON)
def test_random_mutations_of_the_examples(data: st.DataObject, environ: dict[str, str]) -> None:
    documents = copy.deepcopy(EXAMPLE_DATA)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        index = data.draw(st.integers(min_value=0, max_value=len(documents) - 1))
        places = [p for p in node_places(documents[index]) if p]
        if not places:
            continue
        place = data.draw(st.sampled_from(places))
        parent = documents[index]
        for part in place[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "rename", "duplicate"]))
        if action == "replace":
            parent[place[-1]] = data.draw(VALUES)
        elif action == "delete":
            del parent[place[-1]]
        elif action == "rename" and isinstance(parent, dict):
            parent[data.draw(KEYS)] = parent.pop(place[-1])
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[place[-1]]))
    check([(f"example{i}.yaml", dump(doc)) for i, doc in enumerate(documents)], environ)


@SETTINGS
@given(content=st.binary(max_size=300))
def test_random_bytes(content: bytes) -> None:
    check([("junk.yaml", content)], {})


YAML_ALPHABET = "[]{}:-,#&*!|>'\"\n\t %@`?~<=abcfnosvy019.${}\\\x00\x85\u2028\ufeff"


@SETTINGS
@given(text=st.text(alphabet=YAML_ALPHABET, max_size=120))
def test_random_yaml_like_text(text: str) -> None:
    check([("text.yaml", ("version: 1\nservices:\n" + text).encode("utf-8"))], {"X": "1"})
    check([("text.yaml", text.encode("utf-8"))], {})
