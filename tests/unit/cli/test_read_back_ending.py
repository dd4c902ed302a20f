"""The end of an apply's read-back: the closing count, or the list of values to write, and its exit code."""

from __future__ import annotations

from verifyctl.apply.executor import ApplyResult, Outcome
from verifyctl.apply.readback import Difference
from verifyctl.cli.read_back import as_written_line, stored_differently
from verifyctl.errors import EXIT_ERROR, ApplyError
from verifyctl.plan.model import Action, Change
from verifyctl.resources.addresses import Address


def applied(address: str, *differences: Difference) -> Outcome:
    at = Address.parse(address)
    return Outcome(
        Change(at, Action.CREATE, None, {"friendly_name": at.key}, ()), "applied", read_back=differences
    )


def test_writes_stored_as_sent_end_with_their_count() -> None:
    result = ApplyResult([applied("service[A]"), applied("service[B]")])
    assert stored_differently(result, frozenset()) is None
    assert as_written_line(result) == "2 changes read back as written.\n"
    assert as_written_line(ApplyResult([applied("service[A]")])) == "1 change read back as written.\n"


def test_values_stored_otherwise_are_an_apply_error_listing_each_with_its_fix() -> None:
    name = Difference(Address.parse("service[A ]"), "friendly_name", "A ", "A")
    url = Difference(
        Address.parse("service[A ]/webhook[w]"),
        "webhook_url",
        "https://u:pw@H.example/x",
        "https://u:pw@h.example/x",
    )
    result = ApplyResult(
        [applied("service[A ]", name), applied("service[A ]/webhook[w]", url), applied("service[B]")]
    )
    error = stored_differently(result, frozenset())
    assert isinstance(error, ApplyError) and error.exit_code == EXIT_ERROR
    assert str(error).splitlines() == [
        "2 values were stored differently from how they were sent (in 2 of 3 changes read back):"
        " write them in the file as Twilio stores them, or every plan will show them as changes:",
        '  service[A ].friendly_name: sent "A ", stored "A": write "A" in the file',
        '  service[A ]/webhook[w].webhook_url: sent "https://(sensitive value)@H.example/x", stored'
        ' "https://(sensitive value)@h.example/x":'
        " write the stored value in the file (its sensitive parts are not shown)",
    ]
