"""Each file is read and parsed once per command, however many environments load it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from verifyctl.config import files as config_files
from verifyctl.config.environment_section import Selection, environment_configs
from verifyctl.config.files import ConfigFiles
from verifyctl.config.limits import DEFAULT_LIMITS
from verifyctl.config.loader import load_files
from verifyctl.config.reading import read_file
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.engine.desired import load_configuration
from verifyctl.engine.environments import select
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
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`read FILE` and `parse FILE` for each file read and each file parsed."""
    names: list[str] = []

    def counted_read(path: Any, limit: int, root: Any = None) -> bytes:
        names.append(f"read {Path(path).name}")
        return read_file(path, limit, root)

    def counted_parse(name: str, data: bytes, limits: Any = DEFAULT_LIMITS) -> Any:
        names.append(f"parse {Path(name).name}")
        return parse_yaml(name, data, limits)

    monkeypatch.setattr(config_files, "read_file", counted_read)
    monkeypatch.setattr(config_files, "parse_yaml", counted_parse)
    return names


def test_a_file_without_environments_is_read_and_parsed_once(tmp_path: Path, calls: list[str]) -> None:
    (tmp_path / "s.yaml").write_text(SERVICES)
    [(name, config)] = environment_configs(
        [tmp_path], Selection(), {"VERIFYCTL_VAR_URL": "https://example/x"}
    )
    assert name == "" and [s.friendly_name for s in config.services] == ["A"]
    assert calls == ["read s.yaml", "parse s.yaml"]


def test_each_environment_expands_its_own_variables_from_one_read_and_parse(
    tmp_path: Path, calls: list[str]
) -> None:
    # The first load expands ${URL} into a copy of the parse; the second must not see that.
    (tmp_path / "e.yaml").write_text(ENVIRONMENTS)
    (tmp_path / "s.yaml").write_text(SERVICES)
    loaded = dict(environment_configs([tmp_path], Selection(), {}))
    urls = {name: config.services[0].webhooks[0].webhook_url for name, config in loaded.items()}  # type: ignore[index]
    assert urls == {"staging": "https://staging.example/hook", "production": "https://example/hook"}
    assert sorted(calls) == ["parse e.yaml", "parse s.yaml", "read e.yaml", "read s.yaml"]


def test_environments_loaded_on_threads_as_plan_env_all_does_share_one_read_and_parse(
    tmp_path: Path, calls: list[str]
) -> None:
    (tmp_path / "e.yaml").write_text(ENVIRONMENTS)
    (tmp_path / "s.yaml").write_text(SERVICES)
    targets = select([str(tmp_path)], Selection(env="all"), {"T": "token"})
    with ThreadPoolExecutor(max_workers=2) as pool:
        configs = list(
            pool.map(lambda t: load_configuration([], t.variables, t.name, t.files), targets)  # type: ignore[arg-type]
        )
    urls = [config.services[0].webhooks[0].webhook_url for config in configs]  # type: ignore[index]
    assert urls == ["https://staging.example/hook", "https://example/hook"]
    assert sorted(calls) == ["parse e.yaml", "parse s.yaml", "read e.yaml", "read s.yaml"]


def test_a_problem_is_located_the_same_from_a_kept_parse(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        SERVICES.replace("friendly_name: w", "friendly_name: w\n        colour: red")
    )
    with pytest.raises(ConfigError) as caught:
        environment_configs([tmp_path], Selection(), {"VERIFYCTL_VAR_URL": "https://example/x"})
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (6, 9, "services[0].webhooks[0].colour")


def test_loads_with_other_variables_share_the_parse_and_leave_it_unchanged(
    tmp_path: Path,
) -> None:
    (tmp_path / "s.yaml").write_text(SERVICES)
    files = ConfigFiles([tmp_path])
    first = load_files(files, {"VERIFYCTL_VAR_URL": "https://one.example/x"})
    second = load_files(files, {"VERIFYCTL_VAR_URL": "https://two.example/x"})
    assert first.services[0].webhooks[0].webhook_url == "https://one.example/x"  # type: ignore[index]
    assert second.services[0].webhooks[0].webhook_url == "https://two.example/x"  # type: ignore[index]
    document, _ = files.parse(str(tmp_path / "s.yaml"), b"")
    assert document is not None and "${URL}" in str(document.data)
