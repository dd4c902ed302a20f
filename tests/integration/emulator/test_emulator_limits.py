"""Every parameter bounded: out-of-range paging values and clock moves are 400s, never a broken emulator."""

from __future__ import annotations

import pytest
import requests

from tests.integration.emulator.support import PHONE, Api, admin, error_of
from verifyctl.emulator import EmulatorServer


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"PageToken": "PA99999999999999999999999"}, "Invalid parameter: PageToken"),
        ({"PageToken": "PB9223372036854775808"}, "Invalid parameter: PageToken"),
        ({"PageToken": "PA" + "9" * 5000}, "Invalid parameter: PageToken"),
        ({"PageToken": "PA-1"}, "Invalid parameter: PageToken"),
        ({"Page": "99999999999999999999"}, "Invalid parameter: Page (must be between 0 and 2147483647)"),
        ({"Page": "2147483648"}, "Invalid parameter: Page (must be between 0 and 2147483647)"),
        ({"Page": "9" * 5000}, "Invalid parameter: Page (must be between"),
        ({"Page": "-99999999999999999999"}, "Invalid parameter: Page (must be between"),
        ({"PageSize": "1_000"}, "Invalid parameter: PageSize (must be an integer)"),
        ({"PageSize": " 5"}, "Invalid parameter: PageSize (must be an integer)"),
        ({"PageSize": "99999999999999999999"}, "Invalid parameter: PageSize (must be between 1 and 1000)"),
    ],
)
def test_out_of_range_paging_values_are_400(api: Api, params: dict[str, str], message: str) -> None:
    status, code, got = error_of(api.get("/v2/Services", params))

    assert (status, code) == (400, 60200) and got.startswith(message)


def test_the_largest_allowed_paging_values_answer(api: Api) -> None:
    api.service()
    last_page = api.get("/v2/Services", {"Page": "2147483647", "PageSize": "1000"})
    last_token = api.get("/v2/Services", {"PageToken": "PA9223372036854775807"})

    assert last_page.status_code == 200 and last_page.json()["services"] == []
    assert last_token.status_code == 200 and last_token.json()["services"] == []


@pytest.mark.parametrize("advance", ["1e12", "-1e12", "1e308", "-99999999999"])
def test_a_clock_move_out_of_range_is_400_and_the_emulator_keeps_working(
    api: Api, emulator: EmulatorServer, advance: str
) -> None:
    moved = requests.post(
        emulator.base_url + "/__emulator__/clock",
        data={"advance": advance},
        headers=admin(emulator),
        timeout=10,
    )

    assert error_of(moved)[:2] == (400, 60200)
    assert "between 1970 and 9000" in error_of(moved)[2]
    service = api.service()["sid"]
    assert (
        api.post(f"/v2/Services/{service}/Verifications", {"To": PHONE, "Channel": "sms"}).status_code == 201
    )


def test_the_library_refuses_a_clock_move_out_of_range(emulator: EmulatorServer) -> None:
    with pytest.raises(ValueError, match="between 1970 and 9000"):
        emulator.advance_clock(1e12)
