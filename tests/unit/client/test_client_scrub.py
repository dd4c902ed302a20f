"""The scrubber masks a secret in every form a server or log could echo it: raw, URL, JSON, base64."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest
import responses

from tests.unit.client.support import BASE
from verifyctl.client import Credentials, VerifyClient
from verifyctl.client.secrets import scrub, secret_forms
from verifyctl.errors import VerifyctlError

USER = "SK" + "1f" * 16
# Characters that each encoding treats differently: space, plus, slash, quote, backslash, non-ASCII.
SECRET = 'p@ss wörd+/"\\=&?tok'
PAIR = f"{USER}:{SECRET}"


def b64(text: str, *, urlsafe: bool = False, pad: bool = True) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    out = encode(text.encode()).decode()
    return out if pad else out.rstrip("=")


FORMS = {
    "raw": SECRET,
    "percent %20": quote(SECRET, safe=""),
    "percent, slash kept": quote(SECRET),
    "plus form": quote_plus(SECRET),
    "json escaped": json.dumps(SECRET)[1:-1],
    "json ascii-only": json.dumps(SECRET, ensure_ascii=True)[1:-1],
    "json, raw unicode": json.dumps(SECRET, ensure_ascii=False)[1:-1],
    "json, escaped solidus": json.dumps(SECRET)[1:-1].replace("/", "\\/"),
    "base64": b64(SECRET),
    "base64 url-safe": b64(SECRET, urlsafe=True),
    "base64 unpadded": b64(SECRET, pad=False),
    "pair base64 (the Basic header)": b64(PAIR),
    "pair base64 url-safe unpadded": b64(PAIR, urlsafe=True, pad=False),
}


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_every_form_is_masked_inside_text(form: str) -> None:
    text = f"the server said: token={form}; bye"
    assert scrub(text, secret_forms(USER, SECRET)) == "the server said: token=***; bye"


@pytest.mark.parametrize(
    ("echo", "masked"),
    [
        (PAIR, f"{USER}:***"),
        (quote(PAIR, safe=""), f"{USER}%3A***"),
        (quote_plus(PAIR), f"{USER}%3A***"),
        (json.dumps(PAIR)[1:-1], f"{USER}:***"),
    ],
    ids=["raw", "percent", "plus", "json"],
)
def test_a_basic_auth_pair_keeps_the_account_readable(echo: str, masked: str) -> None:
    assert scrub(echo, secret_forms(USER, SECRET)) == masked


def test_lower_case_percent_hex_is_masked() -> None:
    lower = "p%40ss%20w%c3%b6rd%2b%2f%22%5c%3d%26%3ftok"
    assert scrub(f"x {lower} y", secret_forms(USER, SECRET)) == "x *** y"


def test_the_username_alone_is_not_a_secret() -> None:
    assert scrub(f"account {USER}", secret_forms(USER, SECRET)) == f"account {USER}"


def test_no_secret_means_nothing_masked() -> None:
    assert secret_forms(USER, "") == ()
    assert scrub("anything", secret_forms(USER, "")) == "anything"


@pytest.mark.parametrize("form", ["percent %20", "plus form", "json escaped", "base64"])
def test_an_echo_in_an_api_error_is_masked(form: str) -> None:
    echoed = FORMS[form]
    credentials = Credentials(username=USER, secret=SECRET, account_sid="AC" + "0" * 32)
    with (
        responses.RequestsMock() as mock,
        VerifyClient(BASE, credentials) as client,
        pytest.raises(VerifyctlError) as caught,
    ):
        mock.get(
            f"{BASE}/v2/Services/VA1",
            json={"code": 20003, "message": f"bad token {echoed}", "more_info": echoed, "status": 401},
            status=401,
        )
        client.get("/v2/Services/VA1")
    assert echoed not in str(caught.value)
    assert "bad token ***" in str(caught.value)


def test_a_token_field_cut_by_the_logged_bodys_length_is_still_masked() -> None:
    """The parent's listing of subaccounts carries each one's auth_token: a field that straddles the
    length a logged body is cut to must not leave the start of a token behind."""
    import requests

    from verifyctl.client.verify_client import _BODY_SHOWN, _shown_body

    token = "0123456789abcdef" * 2
    prefix = '{"accounts": [{"padding": "' + "x" * (_BODY_SHOWN - 60) + '", '
    field = f'"auth_token": "{token}"' + "}]}"
    response = requests.Response()
    response._content = (prefix + field).encode()
    assert len(prefix) < _BODY_SHOWN < len(prefix) + len(field)  # the cut falls inside the token
    shown = _shown_body(response)
    assert token[:8] not in shown and shown.endswith('"auth_token": "***"}]}')
