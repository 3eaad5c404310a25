"""Phone numbers: ``parse_phone`` gives phonenumbers' own verdict, by its fast path or not.

``parse_phone`` reads plainly written numbers without ``phonenumbers.parse`` and checks them
against patterns it compiles once from phonenumbers' metadata. These tests compare it, number by
number and region by region, with a reference built from phonenumbers' public functions alone.
"""

from __future__ import annotations

import random

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as number_zones

from ringback.core.area_codes import AREA_CODE_STATES
from ringback.core.phones import ParsedPhone, _simple_parse, _zones_in_country, parse_phone

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
CALLING_CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def reference(raw: str, default_region: str) -> ParsedPhone:
    """What ``parse_phone`` must return, from phonenumbers' public functions, uncached."""
    text = raw.strip()
    invalid = ParsedPhone(text, None, "", None, None, None)
    try:
        number = phonenumbers.parse(text, default_region or None)
    except phonenumbers.NumberParseException:
        return invalid
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        return invalid
    region = phonenumbers.region_code_for_number(number)
    zones = tuple(z for z in number_zones.time_zones_for_number(number) if z != "Etc/Unknown")
    zones = _zones_in_country(zones, region)
    state = AREA_CODE_STATES.get(str(number.national_number)[:3]) if region == "US" else None
    return ParsedPhone(
        raw=text,
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        extension=number.extension or "",
        region=region,
        zone=zones[0] if len(zones) == 1 else None,
        subdivision=state,
        zones=zones,
    )


def same(raw: str, region: str) -> None:
    assert parse_phone(raw, region) == reference(raw, region), (raw, region)


# --- examples a seller would recognise ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "e164", "zone", "state"),
    [
        ("(212) 736-5000", "US", "+12127365000", "America/New_York", "NY"),
        ("212.736.5000", "US", "+12127365000", "America/New_York", "NY"),
        ("+1 415 555 2671", "US", "+14155552671", "America/Los_Angeles", "CA"),
        ("1-512-867-5309", "US", "+15128675309", "America/Chicago", "TX"),
        ("+44 20 7946 0958", "US", "+442079460958", "Europe/London", None),
        ("020 7946 0958", "GB", "+442079460958", "Europe/London", None),
        ("+44 (0)20 7946 0958", "US", "+442079460958", "Europe/London", None),
        ("011 44 20 7946 0958", "US", "+442079460958", "Europe/London", None),
        ("+353 1 234 5678", "US", "+35312345678", "Europe/Dublin", None),
        ("+39 06 6982 1234", "US", "+390669821234", "Europe/Vatican", None),  # 06 698: the Vatican
        ("+61 412 345 678", "US", "+61412345678", None, None),  # a mobile: anywhere in Australia
    ],
)
def test_examples(raw: str, region: str, e164: str | None, zone: str | None, state: str | None) -> None:
    parsed = parse_phone(raw, region)
    assert (parsed.e164, parsed.zone, parsed.subdivision) == (e164, zone, state)
    same(raw, region)


def test_extension_and_unparseable_text_are_kept() -> None:
    parsed = parse_phone("(212) 736-5000 ext. 42", "US")
    assert (parsed.e164, parsed.extension) == ("+12127365000", "42")
    kept = parse_phone("  ask at the bakery ", "US")
    assert (kept.valid, kept.number) == (False, "ask at the bakery")


def test_simple_parse_leaves_the_hard_cases_to_phonenumbers() -> None:
    assert _simple_parse("(212) 736-5000", "US") == (1, "2127365000")
    assert _simple_parse("+44 20 7946 0958", "US") == (44, "2079460958")
    for hard in ("1-512-867-5309", "011 44 20 7946 0958", "+44 (0)20 7946 0958", "020 7946 0958",
                 "212-736-5000 x42", "+1 800 FLOWERS", "٢١٢٧٣٦٥٠٠٠", "＋1 212 736 5000"):  # fmt: skip
        assert _simple_parse(hard, "GB" if hard.startswith("020") else "US") is None, hard


# --- the same verdict as phonenumbers, everywhere ----------------------------------------------


def _written(rng: random.Random, digits: str) -> str:
    """``digits`` written the ways people write numbers."""
    style = rng.randrange(6)
    if style == 0:
        return digits
    if style == 1 and len(digits) > 6:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    separator = rng.choice((" ", "-", ".", " - "))
    cuts = sorted(rng.sample(range(1, len(digits)), min(len(digits) - 1, rng.randint(1, 3))))
    parts = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    return separator.join(parts)


def test_every_region_every_calling_code() -> None:
    """Example numbers of every region and type, plus random digits near them, written national
    and international, read with every region as the seller's."""
    rng = random.Random(20261123)
    checked = 0
    for region in REGIONS:
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
                     phonenumbers.PhoneNumberType.TOLL_FREE):  # fmt: skip
            example_number = phonenumbers.example_number_for_type(region, kind)
            if example_number is None:
                continue
            nsn = phonenumbers.national_significant_number(example_number)
            code = example_number.country_code
            variants = [nsn, nsn[:-1] + str(rng.randrange(10)), nsn[:-2], nsn + str(rng.randrange(10)),
                        "".join(rng.choice("0123456789") for _ in nsn)]  # fmt: skip
            for digits in variants:
                if not digits:
                    continue
                seller = rng.choice(REGIONS)
                same(_written(rng, digits), region)
                same(f"+{code} {_written(rng, digits)}", seller)
                same(f"+{code}{digits}", region)
                same(_written(rng, f"{code}{digits}"), region)
                checked += 4
    assert checked > 3000


def test_north_american_numbers_in_bulk() -> None:
    """Ten thousand random ten-digit numbers, as a US seller's contacts write them."""
    rng = random.Random(7)
    for _ in range(10_000):
        digits = "".join(rng.choice("0123456789") for _ in range(10))
        raw = _written(rng, rng.choice((digits, f"1{digits}", f"+1{digits}", f"+1 {digits}")))
        same(raw, rng.choice(("US", "US", "CA", "GB")))


PHONE_TEXT = st.text(alphabet=st.sampled_from("0123456789 ()-.+x#,;*/"), max_size=24)


@settings(max_examples=3000, deadline=None)
@given(raw=PHONE_TEXT, region=st.sampled_from(REGIONS))
@example(raw="+1", region="US")
@example(raw="+0 212 736 5000", region="US")
@example(raw="+800 1234 5678", region="US")
@example(raw="+979 1234 5678", region="US")
@example(raw="( ) - .", region="US")
def test_any_text_gets_phonenumbers_verdict(raw: str, region: str) -> None:
    same(raw, region)


@settings(max_examples=2000, deadline=None)
@given(code=st.sampled_from(CALLING_CODES), digits=st.text(alphabet="0123456789", min_size=1, max_size=15),
       region=st.sampled_from(REGIONS), plus=st.booleans())  # fmt: skip
def test_any_number_after_any_calling_code(code: int, digits: str, region: str, plus: bool) -> None:
    same(f"{'+' if plus else ''}{code} {digits}", region)
