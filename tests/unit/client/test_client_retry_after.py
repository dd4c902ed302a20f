"""Retry-After in both of its HTTP forms: delta-seconds and an HTTP-date."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from verifyctl.client.retry import parse_retry_after


def fixed_now() -> datetime:
    return datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-4", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
    ],
)
def test_readable_values(header: str, seconds: float) -> None:
    assert parse_retry_after(header, now=fixed_now) == seconds


@pytest.mark.parametrize("header", [None, "", "soon", "nan", "inf", "Wed, 99 Foo"])
def test_unreadable_values_are_none(header: str | None) -> None:
    assert parse_retry_after(header, now=fixed_now) is None
