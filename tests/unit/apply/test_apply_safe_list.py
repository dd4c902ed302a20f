"""Applying a Safe List change: one POST or DELETE, and the answers that mean the wanted state."""

from __future__ import annotations

import pytest

from verifyctl.apply.safelist import apply_safe_list
from verifyctl.errors import ApiError, OutcomeUnknownError
from verifyctl.plan.model import Action, Change
from verifyctl.resources.addresses import Address

NUMBER = "+15005550006"
ADDRESS = Address.of_safe_list(NUMBER)
CREATE = Change(ADDRESS, Action.CREATE, None, {"phone_number": NUMBER}, ("phone_number",))
DELETE = Change(ADDRESS, Action.DELETE, {"phone_number": NUMBER}, None, (), NUMBER)


def api_error(status: int, code: int) -> ApiError:
    return ApiError(status=status, code=code, message="m", more_info=None, method="X", path="/p")


class Client:
    """Answers each request with the next of `answers` (an exception is raised, anything else returned)."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str, object]] = []

    def _answer(self) -> object:
        answer = self.answers.pop(0) if self.answers else {}
        if isinstance(answer, Exception):
            raise answer
        return answer

    def create(self, path: str, form: list[tuple[str, str]]) -> dict[str, object]:
        self.sent.append(("POST", path, form))
        answer = self._answer()
        assert isinstance(answer, dict)
        return answer

    def delete(self, path: str) -> None:
        self.sent.append(("DELETE", path, None))
        self._answer()


def test_an_add_posts_the_number() -> None:
    answer = {"sid": "GN" + "0" * 32, "phone_number": NUMBER}
    client = Client(answer)
    assert apply_safe_list(client, CREATE) == ("added", answer)  # the answer, to read back
    assert client.sent == [("POST", "/v2/SafeList/Numbers", [("PhoneNumber", NUMBER)])]


def test_an_add_of_a_listed_number_is_done() -> None:
    assert apply_safe_list(Client(api_error(400, 60411)), CREATE) == ("already listed", None)


def test_an_add_whose_answer_was_lost_is_sent_again_and_60411_then_means_it_worked() -> None:
    client = Client(OutcomeUnknownError("reset"), api_error(400, 60411))
    assert apply_safe_list(client, CREATE) == ("already listed", None)
    assert len(client.sent) == 2


def test_other_errors_fail_the_change() -> None:
    with pytest.raises(ApiError):
        apply_safe_list(Client(api_error(400, 60306)), CREATE)
    with pytest.raises(ApiError):
        apply_safe_list(Client(api_error(403, 20003)), DELETE)


def test_a_removal_deletes_the_number_by_its_path_and_404_is_done() -> None:
    client = Client(api_error(404, 20404))
    assert apply_safe_list(client, DELETE) == ("removed", None)
    assert client.sent == [("DELETE", "/v2/SafeList/Numbers/+15005550006", None)]
