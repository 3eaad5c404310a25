"""Where a postal address puts someone: the time zone of a state or province.

When a phone number spans several zones (a US toll-free or multi-zone area code, an Australian
mobile) the address decides the contact's zone. When the address is in another zone or state
than the number says, both count: calls are planned inside the hours of both zones, under the
stricter state rule (see :func:`address_place`). One zone per state: the zone most of its people
live in.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import holidays

from ringback.core.phones import ParsedPhone

_US = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
    "PR": "America/Puerto_Rico",
}  # fmt: skip
_CA = {
    "AB": "America/Edmonton", "BC": "America/Vancouver", "MB": "America/Winnipeg",
    "NB": "America/Moncton", "NL": "America/St_Johns", "NS": "America/Halifax",
    "NT": "America/Yellowknife", "NU": "America/Iqaluit", "ON": "America/Toronto",
    "PE": "America/Halifax", "QC": "America/Toronto", "SK": "America/Regina", "YT": "America/Whitehorse",
}  # fmt: skip
_AU = {
    "NSW": "Australia/Sydney", "VIC": "Australia/Melbourne", "QLD": "Australia/Brisbane",
    "SA": "Australia/Adelaide", "WA": "Australia/Perth", "TAS": "Australia/Hobart",
    "ACT": "Australia/Sydney", "NT": "Australia/Darwin",
}  # fmt: skip
_ZONES = {"US": _US, "CA": _CA, "AU": _AU}


@lru_cache(maxsize=4)
def _names(country: str) -> dict[str, str]:
    """State or province names (in any case) to their codes, from the ``holidays`` package."""
    aliases = holidays.country_holidays(country).subdivisions_aliases
    return {name.casefold(): code for name, code in aliases.items()}


def state_code(country: str, region: str) -> str | None:
    """The postal code of a US state, Canadian province or Australian state written as a code
    or a name (``"Florida"``, ``"fl"``), or ``None``."""
    zones = _ZONES.get(country.upper())
    if zones is None:
        return None
    text = region.strip()
    if text.upper() in zones:
        return text.upper()
    code = _names(country.upper()).get(text.casefold())
    return code if code in zones else None


def zone_for_region(country: str, region: str) -> str | None:
    """The time zone of a state or province of ``country`` (ISO code), or ``None`` if unknown."""
    code = state_code(country, region)
    return None if code is None else _ZONES[country.upper()][code]


#: How an address may spell its country, besides an ISO code: the countries with a zone table.
_COUNTRY_NAMES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US",
    "united states of america": "US", "america": "US",
    "canada": "CA", "australia": "AU",
}  # fmt: skip


def country_code(text: str, *, default: str) -> str | None:
    """The ISO code of an address's country: a two-letter code as written, a known name, the
    ``default`` (the contact's country) when blank; ``None`` for a name not known here."""
    value = text.strip()
    if not value:
        return default
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return _COUNTRY_NAMES.get(value.casefold())


def address_place(country: str, region: str) -> tuple[str, str | None] | None:
    """The time zone and state (or province) code of an address in ``country`` whose state or
    province is ``region``, or ``None`` when the zone table does not know it."""
    code = state_code(country, region)
    return None if code is None else (_ZONES[country.upper()][code], code)


@lru_cache(maxsize=256)
def state_name(country: str, code: str) -> str:
    """The name of a state or province (``"Florida"`` for US FL); the code when unknown."""
    if country.upper() not in _ZONES:
        return code
    for name, found in holidays.country_holidays(country.upper()).subdivisions_aliases.items():
        if found == code.upper() and len(name) > len(code):
            return str(name)
    return code


_ZONE_LABELS = {
    "America/New_York": "Eastern", "America/Detroit": "Eastern",
    "America/Indiana/Indianapolis": "Eastern", "America/Toronto": "Eastern",
    "America/Chicago": "Central", "America/Winnipeg": "Central",
    "America/Denver": "Mountain", "America/Boise": "Mountain", "America/Edmonton": "Mountain",
    "America/Phoenix": "Arizona", "America/Los_Angeles": "Pacific", "America/Vancouver": "Pacific",
    "America/Anchorage": "Alaska", "Pacific/Honolulu": "Hawaii",
}  # fmt: skip


def zone_label(name: str) -> str:
    """A short name for a zone in a sentence: "Eastern", "Pacific", else the zone's city."""
    return _ZONE_LABELS.get(name) or name.rsplit("/", 1)[-1].replace("_", " ")


def contact_place(
    numbers: Sequence[ParsedPhone], *, region: str | None, seller_region: str, seller_zone: str
) -> tuple[str, str, str]:
    """A contact's time zone, country and state, as far as their numbers and postal ``region``
    (state or province) tell: the one rule Ringback uses, for imported and added contacts alike.

    The zone is that of the first number with a zone of its own; where the numbers span several
    zones, the address's zone if it is one of them; for a number of the seller's country (or
    none), the seller's zone; abroad, the country's first zone. The country and state come from
    the first number that locates the contact, the state else from the address.
    """
    valid = [p for p in numbers if p.valid]
    located = next((p for p in valid if p.zone), valid[0] if valid else None)
    country = (located.region if located and located.region else "") or seller_region
    subdivision = located.subdivision if located and located.subdivision else ""
    if region is not None and not subdivision:
        subdivision = state_code(country, region) or ""
    if located and located.zone:
        return located.zone, country, subdivision
    by_address = zone_for_region(country, region) if region is not None else None
    if by_address and (located is None or not located.zones or by_address in located.zones):
        return by_address, country, subdivision
    if located is None or located.region == seller_region or not located.zones:
        return seller_zone, country, subdivision
    return located.zones[0], country, subdivision
