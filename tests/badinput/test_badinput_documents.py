"""Random and mutated YAML documents through plan and apply: known exit codes, one-line errors, no writes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.badinput.outcome import run_and_check
from tests.fuzzing import examples
from tests.trees import places as node_places
from verifyctl.emulator import EmulatorServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_DATA = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.rglob("*.yaml"))]
# Kept small for CI; a longer hunt: python -m pytest --hypothesis-profile explore tests/badinput
EXAMPLES_PER_TEST = examples(60)
SETTINGS = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
COMMANDS = [
    ("plan",),
    ("plan", "--detailed-exitcode", "--format", "json"),
    ("apply", "--auto-approve"),
    ("apply", "--auto-approve", "--allow-delete", "--force"),
    ("validate",),
]

KEYS = st.sampled_from(
    [
        "version",
        "services",
        "prune",
        "friendly_name",
        "sid",
        "ensure",
        "code_length",
        "totp",
        "skew",
        "rate_limits",
        "unique_name",
        "buckets",
        "interval",
        "max",
        "webhooks",
        "event_types",
        "webhook_url",
        "country",
        "messaging_configurations",
        "messaging_service_sid",
        "from",
        "<<",
    ]
) | st.text(max_size=10)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "${UNSET}",
            "${X:-6}",
            "MG" + "0" * 32,
            "VA" + "1" * 32,
            "all",
            "US",
            "*",
            "absent",
            "https://x.example/",
        ]
    )
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)


@st.composite
def mutated_examples(draw: st.DrawFn) -> dict[str, Any]:
    """One example document with 1-3 nodes replaced, deleted, renamed or duplicated."""
    document = copy.deepcopy(draw(st.sampled_from(EXAMPLE_DATA)))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = [p for p in node_places(document) if p]
        if not places:
            break
        place = draw(st.sampled_from(places))
        parent = document
        for part in place[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "rename", "duplicate"]))
        if action == "replace":
            parent[place[-1]] = draw(VALUES)
        elif action == "delete":
            del parent[place[-1]]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(KEYS)] = parent.pop(place[-1])
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[place[-1]]))
    return document


def run_document(server: EmulatorServer, suite: str, content: bytes, command: tuple[str, ...]) -> None:
    path = Path("candidate.yaml")
    path.write_bytes(content)
    run_and_check(server, suite, *command, str(path))


@SETTINGS
@given(document=mutated_examples(), command=st.sampled_from(COMMANDS))
def test_mutated_example_documents(
    emulator: EmulatorServer, document: dict[str, Any], command: tuple[str, ...]
) -> None:
    content = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")
    run_document(emulator, "YAML documents (mutated examples)", content, command)


@SETTINGS
@given(services=st.lists(VALUES, max_size=3), command=st.sampled_from(COMMANDS))
def test_random_services(emulator: EmulatorServer, services: list[Any], command: tuple[str, ...]) -> None:
    content = yaml.safe_dump({"version": 1, "services": services}, allow_unicode=True).encode("utf-8")
    run_document(emulator, "YAML documents (random services)", content, command)


YAML_ALPHABET = "[]{}:-,#&*!|>'\"\n\t %@`?~<=abcfnosvy019.${}\\\x00\x85\u2028\ufeff"


@SETTINGS
@given(
    text=st.text(alphabet=YAML_ALPHABET, max_size=100) | st.binary(max_size=100),
    command=st.sampled_from(COMMANDS),
)
def test_random_text_and_bytes(emulator: EmulatorServer, text: str | bytes, command: tuple[str, ...]) -> None:
    content = text if isinstance(text, bytes) else ("version: 1\nservices:\n" + text).encode("utf-8")
    run_document(emulator, "YAML documents (random text and bytes)", content, command)
