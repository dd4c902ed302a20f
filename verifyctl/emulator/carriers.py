"""The carrier the emulator reports for a phone number: its country's MCC and one made-up network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifyctl.emulator.countries import country_of

# ISO country -> mobile country code (ITU-T E.212), for the countries `countries.py` knows. A country
# with several codes (the US has 310 to 316) gets its first.
_MOBILE_COUNTRY_CODES: dict[str, str] = {
    "AE": "424",
    "AR": "722",
    "AT": "232",
    "AU": "505",
    "BE": "206",
    "BR": "724",
    "CH": "228",
    "CL": "730",
    "CN": "460",
    "CO": "732",
    "CU": "368",
    "CZ": "230",
    "DE": "262",
    "DK": "238",
    "EG": "602",
    "ES": "214",
    "FI": "244",
    "FR": "208",
    "GB": "234",
    "GR": "202",
    "HK": "454",
    "HU": "216",
    "ID": "510",
    "IE": "272",
    "IL": "425",
    "IN": "404",
    "IT": "222",
    "JP": "440",
    "KR": "450",
    "MX": "334",
    "MY": "502",
    "NL": "204",
    "NO": "242",
    "NZ": "530",
    "PE": "716",
    "PH": "515",
    "PK": "410",
    "PL": "260",
    "PT": "268",
    "RO": "226",
    "RU": "250",
    "SA": "420",
    "SE": "240",
    "SG": "525",
    "TH": "520",
    "TR": "286",
    "TW": "466",
    "US": "310",
    "VE": "734",
    "ZA": "655",
}
# The emulator has no carrier to ask: every known country has one emulated mobile network.
NETWORK_CODE = "01"
CARRIER_NAME = "Verify emulator mobile"


@dataclass(frozen=True)
class Carrier:
    """A number's carrier as Verify reports it; every field None when the emulator knows no country."""

    mcc: str | None
    mnc: str | None
    name: str | None


def carrier_of(to: str) -> Carrier:
    """The emulated carrier of a `+<digits>` number (all None for an e-mail address or an unknown country)."""
    mcc = _MOBILE_COUNTRY_CODES.get(country_of(to) or "")
    if mcc is None:
        return Carrier(None, None, None)
    return Carrier(mcc, NETWORK_CODE, CARRIER_NAME)


def lookup(to: str) -> dict[str, Any]:
    """A verification's `lookup`, as the spec's SNA example has it (its keys in that example's order)."""
    carrier = carrier_of(to)
    return {
        "carrier": {
            "mobile_country_code": carrier.mcc,
            "type": "mobile" if carrier.mcc is not None else None,
            "error_code": None,
            "mobile_network_code": carrier.mnc,
            "name": carrier.name,
        }
    }
