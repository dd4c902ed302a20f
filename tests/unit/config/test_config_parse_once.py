"""Each file is parsed once by validate and lint: the `environments:` read hands its parse to the load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from verifyctl.config import environment_section, loader, parsed
from verifyctl.config.environment_section import Selection, environment_configs
from verifyctl.config.limits import DEFAULT_LIMITS, YamlLimits
from verifyctl.config.parsed import ParsedFiles
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.errors import ConfigError

SID = "AC" + "1" * 32
SERVICES = (
    "version: 1\nservices:\n  - friendly_name: A\n    webhooks:\n      - friendly_name: w\n"
    '        webhook_url: "${URL}"\n        event_types: [challenge.approved]\n'
)
ENVIRONMENTS = (
    "version: 1\nenvironments:\n"
    f"  staging:\n    account_sid: {SID}\n    credentials: {{auth_token_env: T}}\n"
    '    vars: {URL: "https://staging.example/hook"}\n'
    f"  production:\n    account_sid: {SID}\n    credentials: {{auth_token_env: T}}\n"
    '    vars: {URL: "https://example/hook"}\n'
)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each file parsed, by whichever module parses it."""
    names: list[str] = []

    def counted(name: str, data: bytes, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
        names.append(Path(name).name)
        return parse_yaml(name, data, limits)

    for module in (parsed, loader, environment_section):
        monkeypatch.setattr(module, "parse_yaml", counted)
    return names


def test_a_file_without_environments_is_parsed_once(tmp_path: Path, parses: list[str]) -> None:
    (tmp_path / "s.yaml").write_text(SERVICES)
    [(name, config)] = environment_configs(
        [tmp_path], Selection(), {"VERIFYCTL_VAR_URL": "https://example/x"}
    )
    assert name == "" and [s.friendly_name for s in config.services] == ["A"]
    assert parses == ["s.yaml"]


def test_each_environment_expands_its_own_variables_from_a_fresh_parse(
    tmp_path: Path, parses: list[str]
) -> None:
    # The first load takes the kept parse and expands ${URL} into it; the second must not see that.
    (tmp_path / "e.yaml").write_text(ENVIRONMENTS)
    (tmp_path / "s.yaml").write_text(SERVICES)
    loaded = dict(environment_configs([tmp_path], Selection(), {}))
    urls = {name: config.services[0].webhooks[0].webhook_url for name, config in loaded.items()}  # type: ignore[index]
    assert urls == {"staging": "https://staging.example/hook", "production": "https://example/hook"}
    assert sorted(parses) == ["e.yaml", "e.yaml", "s.yaml", "s.yaml"]


def test_a_problem_is_located_the_same_from_a_kept_parse(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        SERVICES.replace("friendly_name: w", "friendly_name: w\n        colour: red")
    )
    with pytest.raises(ConfigError) as caught:
        environment_configs([tmp_path], Selection(), {"VERIFYCTL_VAR_URL": "https://example/x"})
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (6, 9, "services[0].webhooks[0].colour")


def test_a_kept_parse_is_handed_out_once_and_only_for_the_same_bytes_and_limits() -> None:
    kept = ParsedFiles()
    first, _ = kept.parse("f.yaml", b"version: 1\n", DEFAULT_LIMITS)
    assert first is not None
    assert kept.take("f.yaml", b"version: 1\n", DEFAULT_LIMITS)[0] is first
    # Taken already: a second load parses again, into a Document of its own.
    again, _ = kept.take("f.yaml", b"version: 1\n", DEFAULT_LIMITS)
    assert again is not None and again is not first and again.data == {"version": 1}
    kept.parse("f.yaml", b"version: 1\n", DEFAULT_LIMITS)
    changed, _ = kept.take("f.yaml", b"version: 2\n", DEFAULT_LIMITS)
    assert changed is not None and changed.data == {"version": 2}
    kept.parse("f.yaml", b"version: 1\n", DEFAULT_LIMITS)
    other, problems = kept.take("f.yaml", b"version: 1\n", YamlLimits(max_values=0))
    assert other is None and "more than 0 values" in problems[0].message
