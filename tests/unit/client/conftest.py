"""Shared fixtures for the client tests: credentials with a recognisable secret, fake time, a strict mock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from responses.registries import OrderedRegistry

from tests.unit.client.support import ACCOUNT, AUTH_TOKEN, BASE, FakeTime, make_policy
from verifyctl.client import Credentials, VerifyClient


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def credentials() -> Credentials:
    return Credentials(username=ACCOUNT, secret=AUTH_TOKEN, account_sid=ACCOUNT)


@pytest.fixture
def client(credentials: Credentials, fake_time: FakeTime) -> Iterator[VerifyClient]:
    with VerifyClient(BASE, credentials, parallelism=4, retry=make_policy(fake_time)) as verify_client:
        yield verify_client


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    """Responses answered strictly in registration order, each of which must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True, registry=OrderedRegistry) as rsps:
        yield rsps
