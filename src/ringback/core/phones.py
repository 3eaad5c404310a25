"""Phone numbers: E.164 normalisation, region, time zone and US state from the number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata
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


class ParsedPhone(NamedTuple):
    """A phone number as written and, when it parses, in E.164 with what it tells about place.

    A named tuple, not a dataclass: an import makes one per number (in its reader process)."""

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


# --- the number rules, compiled once -------------------------------------------------------
#
# phonenumbers' own checks look every pattern up again in ``re``'s cache and walk each number
# type in turn: 25 µs a number, the costliest part of importing a contact file. The functions
# below give the same verdicts from the same metadata with the patterns compiled once, and
# ``_simple_parse`` reads the way nearly everyone writes a number (digits, spaces, brackets, dots
# and hyphens, perhaps after a +) without phonenumbers' general parser. Anything else goes
# through ``phonenumbers.parse``. ``tests/core/test_phones_fast.py`` checks, number by number
# and for every region, that the answers are phonenumbers' own.

_Desc = tuple[frozenset[int], "re.Pattern[str] | None"]


def _desc(desc: Any) -> _Desc | None:
    if desc is None:
        return None
    pattern = desc.national_number_pattern
    return frozenset(desc.possible_length), re.compile(f"(?:{pattern})") if pattern else None


def _matches(nsn: str, desc: _Desc | None) -> bool:
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(nsn) not in lengths:
        return False
    return pattern is not None and pattern.fullmatch(nsn) is not None


@dataclass(frozen=True, slots=True)
class _Rules:
    """One region's numbering plan, compiled from phonenumbers' metadata."""

    country_code: int
    general: _Desc | None
    types: tuple[_Desc | None, ...]
    possible: frozenset[int]  # lengths of a possible number (local-only lengths included)
    no_possible_data: bool
    leading_digits: re.Pattern[str] | None
    international_prefix: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None

    def valid(self, nsn: str) -> bool:
        """Whether ``nsn`` is a number of some type here (phonenumbers' ``_number_type_helper``
        returning anything but UNKNOWN)."""
        return _matches(nsn, self.general) and any(_matches(nsn, desc) for desc in self.types)


@lru_cache(maxsize=512)
def _rules(country_code: int, region: str) -> _Rules | None:
    meta = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if meta is None or meta.general_desc is None:
        return None
    # Any type makes a number valid, so the commonest are tried first.
    kinds = ["fixed_line", "mobile"] if not meta.same_mobile_and_fixed_line_pattern else ["fixed_line"]
    kinds += [
        "toll_free",
        "premium_rate",
        "shared_cost",
        "voip",
        "personal_number",
        "pager",
        "uan",
        "voicemail",
    ]
    general = meta.general_desc
    lengths = tuple(general.possible_length)

    def pattern(text: str | None) -> re.Pattern[str] | None:
        return re.compile(text) if text else None

    return _Rules(
        country_code=meta.country_code or 0,
        general=_desc(general),
        types=tuple(_desc(getattr(meta, kind)) for kind in kinds),
        possible=frozenset(lengths) | frozenset(general.possible_length_local_only or ()),
        no_possible_data=not lengths or lengths[0] == -1,
        leading_digits=pattern(meta.leading_digits),
        international_prefix=pattern(meta.international_prefix),
        national_prefix=pattern(meta.national_prefix_for_parsing),
    )


def _main_rules(country_code: int) -> _Rules | None:
    return _rules(country_code, phonenumbers.region_code_for_country_code(country_code))


def _is_possible(country_code: int, nsn: str) -> bool:
    """phonenumbers' ``is_possible_number``: a length the country's numbers can have."""
    rules = _main_rules(country_code)
    return rules is not None and not rules.no_possible_data and len(nsn) in rules.possible


def _region_of(country_code: int, nsn: str) -> str | None:
    """phonenumbers' ``region_code_for_number``."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return None
    if len(regions) == 1:
        return regions[0]
    for region in regions:
        rules = _rules(country_code, region)
        if rules is None:
            continue
        if rules.leading_digits is not None:
            if rules.leading_digits.match(nsn):
                return region
        elif rules.valid(nsn):
            return region
    return None


def _is_valid_in(country_code: int, nsn: str, region: str) -> bool:
    """phonenumbers' ``is_valid_number_for_region``."""
    rules = _rules(country_code, region)
    if rules is None or (
        region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY and rules.country_code != country_code
    ):
        return False
    return rules.valid(nsn)


_SIMPLE = re.compile(r"\+?[0-9 ().\-]+")
_PUNCTUATION = str.maketrans("", "", "+ ().-")


def _simple_parse(text: str, region: str | None) -> tuple[int, str] | None:
    """Country code and national number of a plainly written number, exactly as
    ``phonenumbers.parse`` would read them; None where only the full parser can tell (an
    international or national dialling prefix, a leading zero, letters, an extension…)."""
    if not _SIMPLE.fullmatch(text):
        return None
    digits = text.translate(_PUNCTUATION)
    if len(digits) < 3 or len(digits) > 17:
        return None
    if text[0] == "+":
        for size in (1, 2, 3):
            country_code = int(digits[:size])
            if country_code in COUNTRY_CODE_TO_REGION_CODE:
                nsn = digits[size:]
                break
        else:
            return None
    else:
        local = _rules(0, region) if region else None  # the region's own plan
        if local is None or not local.country_code:
            return None
        country_code, nsn = local.country_code, digits
        if nsn.startswith(str(country_code)):
            return None
        if local.international_prefix is not None and local.international_prefix.match(nsn):
            return None
    if len(nsn) < 2 or nsn[0] == "0":
        return None
    # The national prefix is looked for with the plan of the seller's region, or of the
    # number's country when it is written with its calling code.
    rules = _main_rules(country_code) if text[0] == "+" else local
    if rules is None or (rules.national_prefix is not None and rules.national_prefix.match(nsn)):
        return None
    return country_code, nsn


Place = tuple[str | None, tuple[str, ...], str | None]
_places: dict[str, Place] = {}


def _place(country_code: int, nsn: str, number: phonenumbers.PhoneNumber | None = None) -> Place:
    """Region, zones and US state of a number. Zones and state are looked up once per prefix and
    region: the zone data never looks further than its longest prefix for the country, and a
    North American area code lies in one country and one state (so its region is cached too)."""
    digits = f"{country_code}{nsn}"
    key = digits[: _zone_prefix_lengths().get(str(country_code), len(digits))]
    region: str | None = None
    if country_code == 1:
        key = digits[: max(len(key), 4)]
    else:
        region = _region_of(country_code, nsn)
        key = f"{region}:{key}"
    known = _places.get(key)
    if known is None:
        if country_code == 1:
            region = _region_of(country_code, nsn)
        if region is None or not _is_valid_in(country_code, nsn, region):
            return region, (), None  # not a number: nothing to learn about its prefix
        if number is None:  # the simple parse leaves no leading zero
            number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(nsn))
        zones = tuple(z for z in number_zones.time_zones_for_number(number) if z != _UNKNOWN_ZONE)
        state = AREA_CODE_STATES.get(nsn[:3]) if region == "US" else None
        known = (region, _zones_in_country(zones, region), state)
        if len(_places) >= 65536:
            _places.clear()
        _places[key] = known
    return known


def _invalid(text: str) -> ParsedPhone:
    return ParsedPhone(text, None, "", None, None, None)


def parse_phone(raw: str, default_region: str = "US") -> ParsedPhone:
    """Parse ``raw`` with ``default_region`` for national numbers; never raises.

    A number that cannot be parsed keeps its text with ``e164=None`` so that it is flagged,
    never dropped. The verdict is phonenumbers' ``parse``, ``is_possible_number`` and
    ``is_valid_number``, reached faster for plainly written numbers.
    """
    text = (raw or "").strip()
    region = default_region.upper() if default_region else None
    simple = _simple_parse(text, region)
    extension, parsed = "", None
    if simple is None:
        try:
            parsed = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return _invalid(text)
        country_code = parsed.country_code or 0
        nsn = phonenumbers.national_significant_number(parsed)
        extension = parsed.extension or ""
    else:
        country_code, nsn = simple
    if not _is_possible(country_code, nsn):
        return _invalid(text)
    number_region, zones, subdivision = _place(country_code, nsn, parsed)
    if number_region is None or not _is_valid_in(country_code, nsn, number_region):
        return _invalid(text)
    return ParsedPhone(
        raw=text,
        e164=f"+{country_code}{nsn}",
        extension=extension,
        region=number_region,
        zone=zones[0] if len(zones) == 1 else None,
        subdivision=subdivision,
        zones=zones,
    )


def require_phone(raw: str, default_region: str = "US", *, field: str | None = None) -> ParsedPhone:
    """Parse ``raw`` or raise :class:`InvalidPhone` (about ``field``) naming it."""
    parsed = parse_phone(raw, default_region)
    if not parsed.valid:
        raise InvalidPhone(f"{raw!r} is not a phone number (region {default_region})", field=field)
    return parsed


@lru_cache(maxsize=4096)
def is_landline(number: str) -> bool:
    """Whether ``number`` (E.164) is a fixed line by its country's numbering plan: a line that
    people may share (a household, an office), never a personal number. False where the plan does
    not tell fixed lines from mobiles (North America) and for a number that does not parse."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE


@lru_cache(maxsize=4096)
def display_phone(e164: str) -> str:
    """A number in international format for people to read, or as stored when it won't parse
    (kept for the numbers seen last: every card and script of the agenda formats some)."""
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
    #: Texts may go to it: they agreed to texts, and did not stop them since (see
    #: ``contacts.models.Phone``). Without it, no text is planned or offered to the number.
    texts: bool = False


_PREFERENCE = {PhoneLabel.MOBILE: 0, PhoneLabel.WORK: 1, PhoneLabel.HOME: 2, PhoneLabel.OTHER: 3}


def can_be_called(phones: list[PhoneChoice]) -> bool:
    """Whether any number can ever be chosen: one not flagged bad that is not a work number,
    or a work number marked OK to call at work."""
    return any(not p.bad and (p.label is not PhoneLabel.WORK or p.ok_at_work) for p in phones)


def textable_choice(phone: PhoneChoice) -> bool:
    """Whether a text can go to this number: a mobile not flagged bad, whose owner agreed to
    texts and did not stop them."""
    return not phone.bad and phone.label is PhoneLabel.MOBILE and phone.texts


def can_be_texted(phones: list[PhoneChoice]) -> bool:
    """Whether a text can go out: to one of ``phones`` (see :func:`textable_choice`)."""
    return any(textable_choice(p) for p in phones)


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
