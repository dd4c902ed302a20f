"""Identifiers as the API takes them: validate refuses what the API refuses, and agrees with the emulator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from verifyctl.config.loader import load_sources
from verifyctl.config.models import RateLimitConfig, ServiceConfig
from verifyctl.config.variables import Variables
from verifyctl.emulator import children, validation
from verifyctl.emulator.errors import ApiError
from verifyctl.errors import ConfigError


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_sources([("f.yaml", text.encode())], Variables())
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("name", ["per user", "ip/v4", "naïve", "a+b", "ip:1", " "])
def test_a_rate_limit_unique_name_the_api_refuses_is_a_validation_error(name: str) -> None:
    text = f"version: 1\nservices:\n  - friendly_name: A\n    rate_limits: [{{unique_name: {name!r}}}]\n"
    [problem] = problems(text)
    assert problem.startswith("f.yaml:4:") and "services[0].rate_limits[0].unique_name:" in problem


def test_the_rate_limit_message_says_what_the_api_takes() -> None:
    text = "version: 1\nservices:\n  - friendly_name: A\n    rate_limits: [{unique_name: per user}]\n"
    assert problems(text) == [
        "f.yaml:4:33: services[0].rate_limits[0].unique_name: may contain only letters (A-Z, a-z), digits,"
        " '.', '-' and '_' (the API's error 60209)"
    ]


def test_former_names_are_held_to_the_service_name_rules() -> None:
    text = "version: 1\nservices:\n  - friendly_name: A\n    formerly: [Acme!, Fine Name]\n"
    assert problems(text) == [
        "f.yaml:4:15: services[0].formerly: former name 'Acme!' may contain only letters, digits, spaces,"
        " dashes and underscores (not '!')"
    ]
    long = "version: 1\nservices:\n  - friendly_name: A\n    formerly: [" + "a" * 31 + "]\n"
    assert "must be at most 30 characters long" in problems(long)[0]


def _emulator_accepts(parse: object, raw: str) -> bool:
    try:
        parse("Name", raw)  # type: ignore[operator]
    except ApiError:
        return False
    return True


def _model_accepts(build: object) -> bool:
    try:
        build()  # type: ignore[operator]
    except ValidationError:
        return False
    return True


NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12
) | st.text(alphabet="ab1._- /:+!é", min_size=1, max_size=8)


@given(NAMES)
def test_validate_and_the_emulator_agree_on_rate_limit_names(name: str) -> None:
    model = _model_accepts(lambda: RateLimitConfig(unique_name=name))
    assert model == _emulator_accepts(children._unique_name, name)


@given(NAMES)
def test_validate_and_the_emulator_agree_on_service_names(name: str) -> None:
    model = _model_accepts(lambda: ServiceConfig(friendly_name=name))
    # The emulator takes a name of spaces, as the API's check reads; validate refuses a blank name.
    emulator = _emulator_accepts(validation.service_name, name) and bool(name.strip())
    assert model == emulator


def test_two_services_claiming_one_former_name_is_an_error_naming_both() -> None:
    first = "version: 1\nservices:\n  - friendly_name: Acme Login\n    formerly: [Acme Signin]\n"
    second = "version: 1\nservices:\n  - friendly_name: Acme Portal\n    formerly: [Other, Acme Signin]\n"
    with pytest.raises(ConfigError) as caught:
        load_sources([("a.yaml", first.encode()), ("b.yaml", second.encode())], Variables())
    assert [str(p) for p in caught.value.problems] == [
        "b.yaml:4:23: services[0].formerly[1]: former name 'Acme Signin' is claimed by service 'Acme Portal'"
        " and by service 'Acme Login' (a.yaml:4:16); give it to one"
    ]
