"""check_owner with an API key whose /Accounts read is refused: the Verify read decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from verifyctl.engine.ownership import check_owner
from verifyctl.errors import AccountMismatchError, ApiError

DECLARED, OTHER = "AC" + "1" * 32, "AC" + "2" * 32


class Refusing:
    """A client whose every GET is refused with one status and code, or answered with `body`."""

    base_url = "https://api.example"

    def __init__(self, status: int = 0, code: int = 0, body: dict[str, Any] | None = None) -> None:
        self.status, self.code, self.body = status, code, body or {}
        self.paths: list[str] = []

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        self.paths.append(path)
        if self.status:
            raise ApiError(
                status=self.status, code=self.code, message="refused", more_info=None, method="GET", path=path
            )
        return self.body


@pytest.mark.parametrize(("status", "code"), [(401, 20003), (403, 70051)])
def test_a_key_refused_accounts_is_judged_by_its_first_service(status: int, code: int) -> None:
    accounts = Refusing(status, code)
    theirs = Refusing(body={"services": [{"account_sid": OTHER}]})
    ours = Refusing(body={"services": [{"account_sid": DECLARED}]})
    empty = Refusing(body={"services": []})

    with pytest.raises(AccountMismatchError, match="belong to account AC…2222, not AC…1111"):
        check_owner(accounts, DECLARED, "staging", "KEY/SECRET", theirs)
    assert check_owner(accounts, DECLARED, "staging", "KEY/SECRET", ours) == ""
    unproven = check_owner(accounts, DECLARED, "staging", "KEY/SECRET", empty)
    assert f"cannot read /Accounts ({status}, code {code})" in unproven
    assert theirs.paths == ours.paths == empty.paths == ["/v2/Services"]


def test_a_key_refused_by_verify_too_is_an_authentication_failure() -> None:
    with pytest.raises(ApiError) as failure:
        check_owner(Refusing(401, 20003), DECLARED, "staging", "KEY/SECRET", Refusing(401, 20003))
    assert failure.value.exit_code == 1
    assert "check KEY/SECRET (a wrong or rotated secret)" in str(failure.value)


def test_a_main_key_of_another_account_is_refused_without_a_verify_read() -> None:
    verify = Refusing(body={"services": []})
    with pytest.raises(AccountMismatchError, match="nothing was read or written"):
        check_owner(Refusing(404, 20404), DECLARED, "staging", "KEY/SECRET", verify)
    assert verify.paths == []
