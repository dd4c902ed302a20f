"""The emulator's TOTP against RFC 6238's test vectors, its CBOR decoder, and ES256 without `cryptography`."""

from __future__ import annotations

import base64
import sys

import pytest

from tests.support.devices import cbor as encode_cbor
from verifyctl.emulator import cbor, signatures, totp
from verifyctl.emulator.errors import ApiError

# RFC 6238 Appendix B: the seeds are ASCII digits of the hash's output length.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890" * 6 + b"1234",
}
VECTORS = [
    (59, "sha1", "94287082"),
    (59, "sha256", "46119246"),
    (59, "sha512", "90693936"),
    (1111111109, "sha1", "07081804"),
    (1111111111, "sha256", "67062674"),
    (1234567890, "sha512", "93441116"),
    (2000000000, "sha1", "69279037"),
    (20000000000, "sha256", "77737706"),
]


@pytest.mark.parametrize(("timestamp", "alg", "expected"), VECTORS)
def test_totp_matches_rfc_6238_vectors(timestamp: int, alg: str, expected: str) -> None:
    secret = base64.b32encode(SEEDS[alg]).decode()
    assert totp.code_at(secret, timestamp, 30, 8, alg) == expected
    assert totp.matches(secret, expected, timestamp, 30, 8, 0, alg)


def test_totp_skew_accepts_neighbouring_steps_only() -> None:
    secret = totp.new_secret()
    now = 1_700_000_000.0
    previous = totp.code_at(secret, now - 30)
    two_back = totp.code_at(secret, now - 60)
    assert totp.matches(secret, previous, now, 30, 6, 1, "sha1")
    assert not totp.matches(secret, previous, now, 30, 6, 0, "sha1")
    assert totp.matches(secret, two_back, now, 30, 6, 2, "sha1") and not totp.matches(
        secret, two_back, now, 30, 6, 1, "sha1"
    )
    assert not totp.matches(secret, "12345", now, 30, 6, 1, "sha1")


def test_new_secrets_are_32_base32_characters() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32 and len(totp.secret_bytes(secret)) == 20


@pytest.mark.parametrize(
    "value",
    [
        0,
        23,
        24,
        255,
        256,
        65536,
        2**40,
        -1,
        -7,
        -257,
        b"",
        b"\x00\xff",
        "",
        "é",
        [1, [2, b"x"]],
        {1: 2, -2: b"k"},
    ],
)
def test_cbor_round_trips_what_webauthn_uses(value: object) -> None:
    assert cbor.decode(encode_cbor(value)) == value


def test_cbor_decodes_simple_values_and_refuses_what_it_does_not_read() -> None:
    assert cbor.decode(b"\xf4") is False
    assert cbor.decode(bytes([0x83, 0xF4, 0xF5, 0xF6])) == [False, True, None]
    for bad in (b"", b"\x18", b"\x5f", b"\xc0\x01", b"\x01\x02", b"\x42\x00", b"\x81" * 40 + b"\x00"):
        with pytest.raises(cbor.CborError):
            cbor.decode(bad)


def test_cbor_prefix_reports_where_the_item_ends() -> None:
    data = encode_cbor({1: 2}) + b"rest"
    assert cbor.decode_prefix(data, 0) == ({1: 2}, len(data) - 4)


def test_without_cryptography_es256_answers_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in sys.modules if name.startswith("cryptography")]:
        monkeypatch.delitem(sys.modules, name)
    # A None entry makes `import cryptography...` raise ImportError, as on an install without the extra.
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(ApiError) as raised:
        signatures.load_spki("AAAA")
    assert raised.value.status == 501
    assert "pip install 'verifyctl[emulator]'" in raised.value.message


def test_hs256_tokens_verify_and_tampering_is_caught() -> None:
    token = signatures.hs256_jwt(b"k" * 32, {"sub": "x"}, kid="VA1")
    assert signatures.verify_hs256_jwt(b"k" * 32, token) == {"sub": "x"}
    with pytest.raises(signatures.BadSignature):
        signatures.verify_hs256_jwt(b"j" * 32, token)
