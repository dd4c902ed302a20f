"""The `environments:` section: credentials by variable name only, once in all files, names checked."""

from __future__ import annotations

import pytest

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
