"""The `environments:` section: credentials by variable name only, once in all files, names checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifyctl.config.environment_section import may_declare_environments, read_environments
from verifyctl.config.files import ConfigFiles
from verifyctl.config.loader import load_sources
from verifyctl.errors import ConfigError

SID = "AC" + "1" * 32


def problems(*sources: tuple[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_sources([(name, text.encode()) for name, text in sources], {})
    return [str(p) for p in caught.value.problems]


def section(credentials: str) -> str:
    return f"version: 1\nenvironments:\n  staging:\n    account_sid: {SID}\n    credentials: {credentials}\n"


def test_a_literal_token_in_the_file_is_a_located_error() -> None:
    [found] = problems(("e.yaml", section("{auth_token: abc}")))
    assert found.startswith("e.yaml:5:18: environments.staging.credentials:")
    assert "name the environment variable that holds it with auth_token_env" in found


def test_a_secret_written_where_a_name_goes_is_an_error() -> None:
    [found] = problems(("e.yaml", section("{auth_token_env: abcdef0123456789abcdef0123456789}")))
    assert "looks like a secret" in found and "e.yaml:5:" in found


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ("{api_key_env: KEY}", "api_key_env and api_secret_env are written together"),
        ("{auth_token_env: T, api_key_env: K, api_secret_env: S}", "not both"),
        ("{}", "write auth_token_env, or api_key_env with api_secret_env"),
    ],
)
def test_credentials_are_one_kind(credentials: str, message: str) -> None:
    [found] = problems(("e.yaml", section(credentials)))
    assert message in found


def test_an_unknown_environment_on_a_service_is_a_located_error() -> None:
    services = "version: 1\nservices:\n  - friendly_name: A\n    environments: [prod]\n"
    [found] = problems(("e.yaml", section("{auth_token_env: T}")), ("s.yaml", services))
    assert found == "s.yaml:4:20: services[0].environments[0]: unknown environment 'prod' (declared: staging)"


def test_environments_are_written_once_in_all_files() -> None:
    [found] = problems(("a.yaml", section("{auth_token_env: T}")), ("b.yaml", section("{auth_token_env: U}")))
    assert found.startswith("b.yaml:2:1: environments: the environments are written once in all files")


def test_all_is_not_an_environment_name() -> None:
    text = section("{auth_token_env: T}").replace("staging:", "all:")
    assert any("not 'all'" in p for p in problems(("e.yaml", text)))


def test_the_section_takes_no_variables_and_services_take_them_later() -> None:
    text = section("{auth_token_env: T}") + '    vars: {URL: "${NOT_SET}"}\n'
    config = load_sources([("e.yaml", text.encode())], {})
    assert config.environments["staging"].vars == {"URL": "${NOT_SET}"}


@pytest.mark.parametrize(
    ("text", "may"),
    [
        (b"version: 1\nservices: []\n", False),  # no such word: not parsed for the section
        (b"version: 1\nenvironments: {}\n", True),
        (b'version: 1\n"\\x65nvironments": {}\n', True),  # an escape may spell the key
        ("version: 1\n".encode("utf-16"), True),  # another encoding: always parsed
    ],
)
def test_only_a_file_that_cannot_name_the_section_skips_its_parse(text: bytes, may: bool) -> None:
    assert may_declare_environments(text) is may


def test_a_section_whose_key_is_spelt_with_an_escape_is_still_found(tmp_path: Path) -> None:
    source = f'version: 1\n"\\x65nvironments":\n  staging:\n    account_sid: {SID}\n'
    source += "    credentials: {auth_token_env: STAGING_TOKEN}\nservices: []\n"
    (tmp_path / "e.yaml").write_text(source, encoding="utf-8")
    found = read_environments(ConfigFiles([str(tmp_path / "e.yaml")]), {})
    assert list(found.by_name) == ["staging"]
