"""Pacing: at most a rate's requests in any window under its prefix, other paths never paced."""

from __future__ import annotations

import re

import responses

from tests.unit.client.support import BASE, FakeTime, make_policy
from verifyctl.client import Credentials, VerifyClient
from verifyctl.client.pace import Paces, Rate, WindowPacer


def test_a_burst_within_the_limit_never_waits_then_each_waits_for_its_slot() -> None:
    now = [0.0]
    pacer = WindowPacer(Rate("/x", 3, 60.0), clock=lambda: now[0])
    assert [pacer.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    # The next ones, asked at once, are spaced a window after the one `limit` before each.
    assert [pacer.reserve() for _ in range(4)] == [60.0, 60.0, 60.0, 120.0]


def test_the_window_slides_with_time() -> None:
    now = [0.0]
    pacer = WindowPacer(Rate("/x", 2, 60.0), clock=lambda: now[0])
    assert pacer.reserve() == 0.0
    now[0] = 30.0
    assert pacer.reserve() == 0.0
    now[0] = 45.0
    assert pacer.reserve() == 15.0  # the first left the window at 60
    now[0] = 200.0
    assert [pacer.reserve(), pacer.reserve()] == [0.0, 0.0]


def test_only_paths_under_a_paced_prefix_are_paced() -> None:
    paces = Paces((Rate("/v2/SafeList/", 1, 60.0),), clock=lambda: 0.0)
    assert [paces.delay("/v2/Services") for _ in range(5)] == [0.0] * 5
    assert [paces.delay("/v2/SafeList/Numbers"), paces.delay("/v2/SafeList/Numbers/+1")] == [0.0, 60.0]


def test_the_client_waits_before_the_31st_request_in_a_minute_under_a_paced_prefix(
    credentials: Credentials, fake_time: FakeTime
) -> None:
    rates = (Rate("/v2/SafeList/Numbers", 30, 60.0),)
    body = {"sid": "GN" + "0" * 32, "phone_number": "+15005550006", "url": "x"}
    service = f"/v2/Services/VA{'0' * 32}"
    with (
        VerifyClient(BASE, credentials, parallelism=4, retry=make_policy(fake_time), rates=rates) as client,
        responses.RequestsMock() as mock,  # first match wins, each response serves every request
    ):
        mock.add(responses.GET, re.compile(rf"{re.escape(BASE)}/v2/SafeList/Numbers/.*"), json=body)
        mock.add(responses.GET, f"{BASE}{service}", json={"sid": "VA"})
        for _ in range(30):
            client.get("/v2/SafeList/Numbers/+15005550006")
            client.get(service)
        assert fake_time.sleeps == []
        client.get("/v2/SafeList/Numbers/+15005550006")
        client.get(service)
    assert fake_time.sleeps == [60.0]


def test_progress_counts_what_went_out_and_how_long_the_rest_takes() -> None:
    now = [0.0]
    pacer = WindowPacer(Rate("/x", 30, 60.0), clock=lambda: now[0])
    for _ in range(40):  # 30 go at once, 10 wait for the next minute
        pacer.reserve()
    progress = pacer.progress(10_000)
    # 30 sent; the 10 reserved go within a minute, then 9,960 more at one every 2 s.
    assert (progress.sent, progress.seconds_left) == (30, 60.0 + 9_960 * 2.0)
    now[0] = 60.0
    assert pacer.progress(10_000).sent == 40


def test_a_run_within_the_rate_has_nothing_left_to_wait() -> None:
    pacer = WindowPacer(Rate("/x", 30, 60.0), clock=lambda: 0.0)
    for _ in range(30):
        pacer.reserve()
    assert pacer.progress(30).seconds_left == 0.0
