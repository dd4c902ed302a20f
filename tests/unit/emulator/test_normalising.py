"""The emulator's normalise_names test mode: only a service write's FriendlyName is normalised."""

from __future__ import annotations

from urllib.parse import parse_qsl

from verifyctl.emulator.normalising import collapse_blanks, normalised_names

SID = "VA" + "1" * 32


def test_blanks_are_trimmed_and_collapsed() -> None:
    assert collapse_blanks("  Acme \t Login ") == "Acme Login"
    assert collapse_blanks("Acme Login") == "Acme Login"


def test_a_service_create_and_update_have_their_friendly_name_normalised_and_nothing_else() -> None:
    body = "FriendlyName=Acme++Login+&CodeLength=6&TtsName=+Alice+"
    for path in ("/v2/Services", f"/v2/Services/{SID}"):
        assert parse_qsl(normalised_names("POST", path, body), keep_blank_values=True) == [
            ("FriendlyName", "Acme Login"),
            ("CodeLength", "6"),
            ("TtsName", " Alice "),
        ]


def test_other_requests_are_left_as_they_are() -> None:
    hook = "FriendlyName=+audit+&EventTypes=a&EventTypes=b"
    assert normalised_names("POST", f"/v2/Services/{SID}/Webhooks", hook) == hook
    assert normalised_names("GET", "/v2/Services", "FriendlyName=+x+") == "FriendlyName=+x+"
    assert normalised_names("DELETE", f"/v2/Services/{SID}", "") == ""
