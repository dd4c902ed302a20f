"""Parsing is bounded before the tree is built (size, values, aliased text, depth); 10,000 services fit."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.benchmarks.config_load import config_text
from tests.benchmarks.workload import config_document
from verifyctl.config.limits import DEFAULT_LIMITS, YamlLimits
from verifyctl.config.loader import load_config, load_sources
from verifyctl.errors import ConfigError

LIMITS_HINT = "see docs/configuration-limits.md"


def problems(text: str, limits: YamlLimits = DEFAULT_LIMITS) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_sources([("f.yaml", text.encode())], {}, limits=limits)
    return [str(p) for p in caught.value.problems]


@pytest.mark.slow
def test_ten_thousand_services_in_one_file_load_and_validate() -> None:
    # The benchmark's account: each service with 2 rate limits x 2 buckets, 2 countries and a webhook.
    text = config_text(10_000)
    assert yaml.safe_load(config_text(2)) == config_document(2)
    config = load_sources([("all.yaml", text.encode())], {})
    assert len(config.services) == 10_000
    assert config.object_count == 100_000


def test_a_billion_laughs_stops_at_the_alias_that_crosses_the_bound() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    text = "version: 1\n" + "\n".join(levels) + "\nservices: [*a8]\n"
    assert problems(text) == [
        "f.yaml:7:45: this alias expands the document to more than 1,000,000 values, the limit of one file"
        f" (an alias bomb?); {LIMITS_HINT}"
    ]


def test_a_long_string_repeated_by_aliases_stops_at_the_text_bound() -> None:
    # 100 KB aliased 2,000 times would be 200 MB of text, and used to write 200 MB of problems.
    text = "version: 1\nservices:\n  - friendly_name: &n " + "A" * 100_000 + "\n"
    text += "  - friendly_name: *n\n" * 1999
    found = problems(text)
    assert found == [
        "f.yaml:338:20: this alias expands the document to more than 33,554,432 characters of text, the limit"
        f" of one file (an alias bomb?); {LIMITS_HINT}"
    ]


def test_a_long_value_is_shown_once_and_cut_short_in_every_problem() -> None:
    # Below the text bound, so every service is checked: each problem stays one short line.
    text = "version: 1\nservices:\n  - friendly_name: &n " + "A" * 10_000 + "\n"
    text += "  - friendly_name: *n\n" * 399
    found = problems(text)
    assert len(found) == 400 + 399
    assert all(len(line) < 200 for line in found)
    # An aliased value is placed where it was written, at its anchor.
    assert found[0] == "f.yaml:3:20: services[0].friendly_name: must be at most 30 characters long, not 10000"
    assert found[-1] == (
        "f.yaml:3:20: services[399].friendly_name: duplicate service"
        " 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'..."
        " (10000 characters); first written at f.yaml:3:20"
    )


def test_a_long_key_is_cut_short_in_its_path_and_message() -> None:
    key = "k" * 50_000
    # A plain key is at most 1024 characters in YAML; an explicit one (`? key`) has no bound.
    (found,) = problems(f"version: 1\nservices: []\n? {key}\n: 1\n")
    assert len(found) < 200
    assert found.startswith("f.yaml:3:3: kkkkk")
    assert "unknown key 'kkkk" in found and "(50000 characters)" in found


def test_a_flat_list_stops_at_the_value_bound_before_the_tree_is_built() -> None:
    limits = YamlLimits(max_values=1000)
    text = "version: 1\nservices: [" + "1," * 5000 + "1]\n"
    assert problems(text, limits) == [
        f"f.yaml:2:2006: the document holds more than 1,000 values, the limit of one file; {LIMITS_HINT}"
    ]


def test_the_ceiling_is_a_loader_parameter() -> None:
    text = "version: 1\nservices: [" + ", ".join(["{friendly_name: Acme}"] * 1) + "]\n"
    assert len(load_sources([("f.yaml", text.encode())], {}).services) == 1
    assert problems(text, YamlLimits(max_values=3)) == [
        f"f.yaml:2:12: the document holds more than 3 values, the limit of one file; {LIMITS_HINT}"
    ]


def test_nesting_is_bounded_by_the_limits_too() -> None:
    text = "version: 1\nservices: " + "[" * 10 + "]" * 10 + "\n"
    assert problems(text, YamlLimits(max_depth=5)) == ["f.yaml:2:16: nested more than 5 levels deep"]


def test_a_file_over_the_size_bound_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("version: 1\nservices: []\n" + "#" * 2000 + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config([path], {}, limits=YamlLimits(max_file_bytes=1000))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1:1: the file is larger than 1,000 bytes, the limit of one file; {LIMITS_HINT}"
    ]
    assert load_config([path], {}).services == []


@pytest.mark.parametrize(
    "item, first",
    [
        ("1", "f.yaml:2:12: services[0]: must be a mapping, not 1"),
        ("!x 1", "f.yaml:2:12: services[0]: unsupported YAML tag '!x'"),
        ('"${UNSET}"', "f.yaml:2:13: services[0]: variable 'UNSET' is not declared"),
        ("{friendly_name: A}", "f.yaml:2:48: services[1].friendly_name: duplicate service 'A'"),
    ],
)
def test_a_file_of_many_small_mistakes_reports_the_first_ones(item: str, first: str) -> None:
    # Each check stops soon after the limit: a million mistakes cost what the first thousand do.
    text = "version: 1\nservices: [" + ", ".join([item] * 3000) + "]\n"
    found = problems(text, YamlLimits(max_problems=100))
    assert len(found) == 101
    assert found[0].startswith(first)
    assert found[-1].startswith("f.yaml:2:")
    assert found[-1].endswith(
        ": more problems follow; the first 100 of this file are shown (see docs/configuration-limits.md)"
    )
