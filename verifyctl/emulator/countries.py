"""The destination country of an E.164 phone number, from its calling code (a small table, longest prefix)."""

from __future__ import annotations

# Calling code -> ISO-3166-1 alpha-2. A deliberately small table: the emulator needs a country for the
# Attempts `Country` filter and for the automatic locale, not a numbering-plan database. `+1` is shared by
# the NANP countries and is answered as US.
_CALLING_CODES: dict[str, str] = {
    "1": "US",
    "7": "RU",
    "20": "EG",
    "27": "ZA",
    "30": "GR",
    "31": "NL",
    "32": "BE",
    "33": "FR",
    "34": "ES",
    "36": "HU",
    "39": "IT",
    "40": "RO",
    "41": "CH",
    "43": "AT",
    "44": "GB",
    "45": "DK",
    "46": "SE",
    "47": "NO",
    "48": "PL",
    "49": "DE",
    "51": "PE",
    "52": "MX",
    "53": "CU",
    "54": "AR",
    "55": "BR",
    "56": "CL",
    "57": "CO",
    "58": "VE",
    "60": "MY",
    "61": "AU",
    "62": "ID",
    "63": "PH",
    "64": "NZ",
    "65": "SG",
    "66": "TH",
    "81": "JP",
    "82": "KR",
    "84": "VN",
    "86": "CN",
    "90": "TR",
    "91": "IN",
    "92": "PK",
    "351": "PT",
    "353": "IE",
    "358": "FI",
    "420": "CZ",
    "852": "HK",
    "886": "TW",
    "966": "SA",
    "971": "AE",
    "972": "IL",
}


def country_of(to: str) -> str | None:
    """The ISO country of a `+<digits>` number, or None for an e-mail address or an unknown calling code."""
    if not to.startswith("+"):
        return None
    digits = to[1:]
    for length in (3, 2, 1):
        found = _CALLING_CODES.get(digits[:length])
        if found is not None:
            return found
    return None
