"""Phone numbers: E.164 normalisation, region, time zone and US state from the number."""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from importlib import resources

import phonenumbers
from phonenumbers import timezone as number_zones
from phonenumbers.tzdata import TIMEZONE_DATA

from ringback.core.area_codes import AREA_CODE_STATES
from ringback.core.errors import InvalidPhone
from ringback.core.scheduling import is_working_hours

_UNKNOWN_ZONE = "Etc/Unknown"


class PhoneLabel(StrEnum):
    MOBILE = "mobile"
    WORK = "work"
    HOME = "home"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ParsedPhone:
    """A phone number as written and, when it parses, in E.164 with what it tells about place."""

    raw: str
    e164: str | None
    extension: str
    region: str | None
    zone: str | None
    subdivision: str | None
    zones: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.e164 is not None

    @property
    def number(self) -> str:
        return self.e164 or self.raw.strip()


@lru_cache(maxsize=1)
def _zone_prefix_lengths() -> dict[str, int]:
    """For each country calling code, the longest number prefix the time-zone data looks at."""
    longest: dict[str, int] = {}
    for prefix in TIMEZONE_DATA:
        for size in (1, 2, 3):
            code = prefix[:size]
            if int(code) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                longest[code] = max(longest.get(code, 0), len(prefix))
                break
    return longest


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, tuple[str, ...]]:
    """Each country's zones from the tz database's ``zone.tab`` (shipped by ``tzdata``)."""
    zones: dict[str, list[str]] = {}
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _, name = line.split("\t")[:3]
            zones.setdefault(country, []).append(name)
    return {country: tuple(names) for country, names in zones.items()}


def _zones_in_country(zones: tuple[str, ...], region: str | None) -> tuple[str, ...]:
    """The number's zones that lie in its country; the country's only zone when the number data
    names none of them (phonenumbers maps some countries' numbers to a neighbour's zones)."""
    own = _country_zones().get(region or "", ())
    inside = tuple(z for z in zones if z in own)
    if inside or not own:
        return inside or zones
    return own if len(own) == 1 else zones


Place = tuple[str | None, tuple[str, ...], str | None]
_places: dict[str, Place] = {}


def _place(parsed: phonenumbers.PhoneNumber, e164: str) -> Place:
    """Region, zones and US state of a number. Zones and state are looked up once per prefix:
    the zone data never looks further than its longest prefix for the country, and a North
    American area code lies in one country and one state (so its region is cached too)."""
    code = parsed.country_code
    digits = e164[1:]
    key = digits[: _zone_prefix_lengths().get(str(code), len(digits))]
    if code == 1:
        key = digits[: max(len(key), 4)]
    known = _places.get(key)
    if known is None:
        region = phonenumbers.region_code_for_number(parsed)
        if region is None or not phonenumbers.is_valid_number_for_region(parsed, region):
            return region, (), None  # not a number: nothing to learn about its prefix
        zones = tuple(z for z in number_zones.time_zones_for_number(parsed) if z != _UNKNOWN_ZONE)
        known = (region, _zones_in_country(zones, region), _subdivision(parsed, region))
        if len(_places) >= 65536:
            _places.clear()
        _places[key] = known
    if code == 1:
        return known
    return phonenumbers.region_code_for_number(parsed), known[1], known[2]


def _subdivision(parsed: phonenumbers.PhoneNumber, region: str | None) -> str | None:
    """The US state of a US number, from its area code (see ``area_codes``)."""
    if region != "US":
        return None
    return AREA_CODE_STATES.get(str(parsed.national_number)[:3])


def parse_phone(raw: str, default_region: str = "US") -> ParsedPhone:
    """Parse ``raw`` with ``default_region`` for national numbers; never raises.

    A number that cannot be parsed keeps its text with ``e164=None`` so that it is flagged,
    never dropped.
    """
    text = (raw or "").strip()
    try:
        parsed = phonenumbers.parse(text, default_region.upper() if default_region else None)
    except phonenumbers.NumberParseException:
        return ParsedPhone(text, None, "", None, None, None)
    if not phonenumbers.is_possible_number(parsed):
        return ParsedPhone(text, None, "", None, None, None)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    region, zones, subdivision = _place(parsed, e164)
    # is_valid_number(parsed) is exactly this with the region looked up again (costly for +1).
    if region is None or not phonenumbers.is_valid_number_for_region(parsed, region):
        return ParsedPhone(text, None, "", None, None, None)
    return ParsedPhone(
        raw=text,
        e164=e164,
        extension=parsed.extension or "",
        region=region,
        zone=zones[0] if len(zones) == 1 else None,
        subdivision=subdivision,
        zones=zones,
    )


def require_phone(raw: str, default_region: str = "US") -> ParsedPhone:
    """Parse ``raw`` or raise :class:`InvalidPhone` naming it."""
    parsed = parse_phone(raw, default_region)
    if not parsed.valid:
        raise InvalidPhone(f"{raw!r} is not a phone number (region {default_region})")
    return parsed


def display_phone(e164: str) -> str:
    """A number in international format for people to read, or as stored when it won't parse."""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164


@dataclass(frozen=True, slots=True)
class PhoneChoice:
    """One of a contact's numbers, as the agenda weighs it."""

    id: int
    number: str
    label: PhoneLabel
    ok_at_work: bool = False
    bad: bool = False


_PREFERENCE = {PhoneLabel.MOBILE: 0, PhoneLabel.WORK: 1, PhoneLabel.HOME: 2, PhoneLabel.OTHER: 3}


def choose_phone(phones: list[PhoneChoice], local_time: datetime) -> PhoneChoice | None:
    """The number to call at ``local_time`` (the contact's local time).

    Mobile first; a work number only during working hours and only when marked OK to call at
    work (R5); then home and other. Numbers flagged bad are never chosen.
    """
    working = is_working_hours(local_time)
    usable = [
        p for p in phones if not p.bad and (p.label is not PhoneLabel.WORK or (p.ok_at_work and working))
    ]
    if not usable:
        return None
    return min(usable, key=lambda p: (_PREFERENCE[p.label], p.id))


def parse_phones(raws: Sequence[str], default_region: str = "US") -> list[ParsedPhone]:
    """:func:`parse_phone` of each of ``raws``, in order (one call per batch, for a worker process)."""
    return [parse_phone(raw, default_region) for raw in raws]


def ignore_interrupts() -> None:
    """Start of a number worker process: Ctrl-C is left to the process that started it, which
    rolls its import back and stops the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
