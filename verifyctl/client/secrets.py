"""Every form in which a secret can surface in text, and the scrubber that masks them all."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
_PERCENT = re.compile(r"%[0-9A-F]{2}")


def _encodings(value: str) -> set[str]:
    """`value` raw, URL-encoded (%20 and + forms, either hex case), JSON-escaped and base64."""
    forms = {value}
    for encoded in (quote(value, safe=""), quote(value), quote_plus(value, safe=""), quote_plus(value)):
        forms.add(encoded)
        # Servers and proxies may re-encode with lower-case hex digits.
        forms.add(_PERCENT.sub(lambda m: m.group(0).lower(), encoded))
    for escaped in (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
        forms.add(escaped)
        forms.add(escaped.replace("/", "\\/"))  # some JSON encoders escape the solidus
    return forms | _base64_forms(value)


def _base64_forms(value: str) -> set[str]:
    raw = value.encode()
    forms = {base64.b64encode(raw).decode("ascii"), base64.urlsafe_b64encode(raw).decode("ascii")}
    return forms | {f.rstrip("=") for f in forms}


def secret_forms(username: str, secret: str) -> tuple[str, ...]:
    """The forms of `secret` and of the `username:secret` basic-auth pair, longest first."""
    if not secret:
        return ()
    # Raw, URL and JSON forms of the pair contain those of the secret, which leaves the (public)
    # account or key SID readable; only base64 mixes the two, so the pair is masked whole there.
    forms = _encodings(secret) | _base64_forms(f"{username}:{secret}")
    # Longest first, so a longer form is masked whole before a shorter one inside it is.
    return tuple(sorted((f for f in forms if f), key=lambda f: (-len(f), f)))


def value_forms(values: Iterable[str]) -> tuple[str, ...]:
    """Every form of each value (`${secret:…}` values of the files), longest first, for `scrub`."""
    forms: set[str] = set()
    for value in values:
        if value:
            forms |= _encodings(value)
    return tuple(sorted((f for f in forms if f), key=lambda f: (-len(f), f)))


# URLs in logged bodies, raw (JSON may escape the solidus) and form-encoded: their userinfo and query
# string carry tokens, so they are masked by default, as plans mask them.
# Userinfo runs to the last "@" of the URL: a password may hold "/", "?" or "#" (base64 tokens do).
_RAW_USERINFO = re.compile(r"(?i)(https?:\\?/\\?/)[^\s\"'<>]*@")
_RAW_QUERY = re.compile(r"(?i)(https?:\\?/\\?/[^\s\"'<>?#]*)\?[^\s\"'<>#]+")
# Encoded with "/" kept or not (`quote` keeps it by default).
_FORM_USERINFO = re.compile(r"(?i)(https?%3A(?:%2F|/){2})[^\s&\"']*%40")
_FORM_QUERY = re.compile(r"(?i)(https?%3A(?:%2F|/){2}[^\s&\"']*?)%3F[^\s&\"']*")


def mask_urls(text: str) -> str:
    """`text` with the userinfo and query string of every http(s) URL in it masked (raw or encoded)."""
    if "http" not in text.lower():
        return text
    text = _RAW_USERINFO.sub(rf"\1{MASK}@", text)
    text = _RAW_QUERY.sub(rf"\1?{MASK}", text)
    text = _FORM_USERINFO.sub(rf"\1{MASK}%40", text)
    return _FORM_QUERY.sub(rf"\1%3F{MASK}", text)


# An account resource carries its `auth_token` (Twilio's answer to a Main key or a parent reading it):
# masked in logged bodies whether or not the run knows that token.
_TOKEN_FIELD = re.compile(r'("auth_token"\s*:\s*)"(?:[^"\\]|\\.)*"')


def mask_token_fields(text: str) -> str:
    """`text` (a JSON body) with the value of every `auth_token` key masked."""
    if "auth_token" not in text:
        return text
    return _TOKEN_FIELD.sub(rf'\1"{MASK}"', text)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by `***`."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text
