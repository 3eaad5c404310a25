"""Every zone respected (issue 11, #3): a contact whose address and number are in different zones
or states is called only inside the calling hours of both zones, under the stricter state rule.

The property: for generated contacts whose number and address disagree, no planned window (a
single ``find_window`` or a whole simulated playbook) falls outside the hours of either zone,
and the rules of both states (hours and calls per 24 h) hold, checked here against each state's
own rule rather than the combined hours the scheduler is given.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringback.core.agenda import call_reason, narrowing_note
from ringback.core.engine import Context, enrollment_simulate
from ringback.core.places import address_place, country_code, state_name, zone_label
from ringback.core.playbook import ALL_PARTS, Channel, PartOfDay, Wait, builtin_playbooks
from ringback.core.scheduling import (
    DEFAULT_HOURS,
    CallingHours,
    CallRecord,
    Recipient,
    Window,
    call_record,
    calling_hours_for,
    find_window,
    inside_calling_hours,
    strictest_hours,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: (zone, state) pairs of the US: where a number or an address may put someone.
PLACES = [
    ("America/New_York", "FL"),
    ("America/New_York", "NY"),
    ("America/New_York", "MD"),
    ("America/Chicago", "IL"),
    ("America/Chicago", "OK"),
    ("America/Chicago", "TX"),
    ("America/Denver", "CO"),
    ("America/Phoenix", "AZ"),
    ("America/Los_Angeles", "CA"),
    ("America/Anchorage", "AK"),
    ("Pacific/Honolulu", "HI"),
]
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
starts = st.integers(0, 3 * 365 * 24 * 60).map(lambda m: EPOCH + timedelta(minutes=m))
own_hours = st.sampled_from(
    [DEFAULT_HOURS, CallingHours(time(9), time(18)), CallingHours(time(8, 30), time(20, 30))]
)


def two_places(number: tuple[str, str], address: tuple[str, str]) -> tuple[Recipient, list[CallingHours]]:
    """A contact with the number's zone and state, and the address's as their other zone and
    state; and the rule of each state (the default hours where a state has none)."""
    recipient = Recipient(
        zone=number[0],
        country="US",
        subdivision=number[1],
        also_zones=(address[0],) if address[0] != number[0] else (),
        also_places=(("US", address[1]),),
    )
    return recipient, [calling_hours_for("US", number[1]), calling_hours_for("US", address[1])]


@st.composite
def conflicting(draw: st.DrawFn) -> tuple[Recipient, list[CallingHours], CallingHours]:
    number = draw(st.sampled_from(PLACES))
    address = draw(st.sampled_from([p for p in PLACES if p[0] != number[0]]))
    recipient, rules = two_places(number, address)
    own = draw(own_hours)
    return recipient, rules, own


def check_inside(
    window: Window, recipient: Recipient, rules: list[CallingHours], hours: CallingHours
) -> None:
    """The window lies inside the calling ``hours`` it was planned in and inside every state's
    own rule, in every zone the contact may be in, on one local day there."""
    assert window.end - window.start >= timedelta(minutes=30)
    for name in (recipient.zone, *recipient.also_zones):
        tz = ZoneInfo(name)
        start, last = window.start.astimezone(tz), (window.end - timedelta(microseconds=1)).astimezone(tz)
        assert start.date() == last.date(), f"{window} spans two days in {name}"
        for rule in (*rules, hours):
            assert start.time() >= rule.start, f"{window} starts before {rule.start} in {name}"
            assert last.time() < rule.end, f"{window} ends after {rule.end} in {name}"


def cap_of(rules: list[CallingHours]) -> int | None:
    caps = [r.max_calls_per_24h for r in rules if r.max_calls_per_24h is not None]
    return min(caps) if caps else None


@st.composite
def histories(draw: st.DrawFn, reference: datetime, zone_name: str) -> list[CallRecord]:
    minutes = draw(st.lists(st.integers(0, 6 * 24 * 60), max_size=4, unique=True))
    return [call_record(reference - timedelta(minutes=m), zone_name) for m in sorted(minutes, reverse=True)]


# --------------------------------------------------------------------------- the properties


@SETTINGS
@given(
    data=st.data(),
    contact=conflicting(),
    reference=starts,
    low=st.integers(0, 6),
    span=st.integers(0, 3),
    parts=st.lists(st.sampled_from(ALL_PARTS), min_size=1, max_size=3, unique=True),
    channel=st.sampled_from([Channel.CALL, Channel.CALL, Channel.MAIL, Channel.EMAIL]),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_window_falls_outside_the_hours_of_either_zone(
    data: st.DataObject,
    contact: tuple[Recipient, list[CallingHours], CallingHours],
    reference: datetime,
    low: int,
    span: int,
    parts: list[PartOfDay],
    channel: Channel,
    seed: int,
) -> None:
    recipient, rules, own = contact
    calls = data.draw(histories(reference, recipient.zone)) if channel is Channel.CALL else []
    window = find_window(
        channel=channel,
        wait=Wait(low, low + span),
        reference=reference,
        not_before=reference,
        recipient=recipient,
        hours=strictest_hours(own, rules),
        calls=calls,
        parts=parts,
        tie_break=seed,
    )
    if window is None:
        return
    check_inside(window, recipient, rules, strictest_hours(own, rules))
    assert window.start >= reference
    if channel is Channel.CALL:
        cap = cap_of(rules)
        if cap is not None:
            recent = [c for c in calls if window.start - timedelta(days=1) < c.at <= window.start]
            assert len(recent) < cap
    for at in (window.start, window.end - timedelta(minutes=1)):
        assert inside_calling_hours(at, recipient, strictest_hours(own, rules)) or channel is not Channel.CALL


@SETTINGS
@given(
    contact=conflicting(),
    name=st.sampled_from(sorted(builtin_playbooks())),
    start=starts,
    seed=st.integers(0, 2**32 - 1),
)
def test_no_planned_call_of_a_playbook_falls_outside_either_zone(
    contact: tuple[Recipient, list[CallingHours], CallingHours], name: str, start: datetime, seed: int
) -> None:
    """Nobody answers a whole playbook: every call it plans keeps the hours of both zones and
    the rules of both states, the cap on calls per 24 h included."""
    recipient, rules, own = contact
    context = Context(recipient=recipient, hours=strictest_hours(own, rules))
    touches, _ = enrollment_simulate(
        builtin_playbooks()[name], seed=seed, start=start, context=context, max_touches=12
    )
    call_times = []
    for touch in touches:
        check_inside(touch.window, recipient, rules, context.hours)
        if touch.step.channel is Channel.CALL:
            call_times.append(touch.window.start)
    cap = cap_of(rules)
    if cap is not None:
        for at in call_times:
            assert sum(1 for t in call_times if at - timedelta(days=1) < t <= at) <= cap


# --------------------------------------------------------------------------- the cases of the issue


def local(at: datetime, name: str) -> datetime:
    return at.astimezone(ZoneInfo(name))


ORLANDO_CHICAGO, RULES = two_places(("America/Chicago", "IL"), ("America/New_York", "FL"))
FRI = date(2026, 11, 20)


def window_on(day: date, part: PartOfDay, recipient: Recipient, hours: CallingHours) -> Window | None:
    reference = datetime.combine(day, time(0), ZoneInfo(recipient.zone)).astimezone(UTC)
    return find_window(
        channel=Channel.CALL,
        wait=Wait(0, 0),
        reference=reference,
        not_before=reference,
        recipient=recipient,
        hours=hours,
        parts=[part],
        earliest=True,
    )


def test_the_orlando_address_and_chicago_mobile_keep_eastern_hours_and_floridas_20_00():
    hours = strictest_hours(DEFAULT_HOURS, RULES)
    assert hours == CallingHours(time(8), time(20), 3)
    evening = window_on(FRI, PartOfDay.EVENING, ORLANDO_CHICAGO, hours)
    assert evening is not None
    # 17:00-19:00 in Chicago is 18:00-20:00 in Orlando: Florida's 20:00 there ends it.
    assert local(evening.start, "America/Chicago").time() == time(17)
    assert local(evening.end, "America/Chicago").time() == time(19)
    assert local(evening.end, "America/New_York").time() == time(20)
    morning = window_on(FRI, PartOfDay.MORNING, ORLANDO_CHICAGO, hours)
    assert morning is not None
    assert (local(morning.start, "America/Chicago").time(), local(morning.end, "America/Chicago").time()) == (
        time(8),
        time(12),
    )
    note = narrowing_note(
        window=evening,
        recipient=ORLANDO_CHICAGO,
        hours=hours,
        own=DEFAULT_HOURS,
        rules=[("Illinois", RULES[0]), ("Florida", RULES[1])],
        where="address in Orlando, number from Illinois",
    )
    assert (
        note == "until 19:00: Florida's rule, 20:00 Eastern time (address in Orlando, number from Illinois)"
    )
    assert (
        narrowing_note(
            window=morning, recipient=ORLANDO_CHICAGO, hours=hours, own=DEFAULT_HOURS, rules=[], where="x"
        )
        == ""
    )
    reason = call_reason(
        attempt=2,
        playbook_title="Four calls",
        window_start_local=local(evening.start, "America/Chicago"),
        part=PartOfDay.EVENING,
        last_call=call_record(evening.start - timedelta(days=3, hours=8), "America/Chicago"),
        last_call_local=local(evening.start - timedelta(days=3, hours=8), "America/Chicago"),
        overdue_days=0,
        narrowed=note,
    )
    assert reason == (
        "2nd try — last time Tue morning, try Fri evening, "
        "until 19:00: Florida's rule, 20:00 Eastern time (address in Orlando, number from Illinois)"
    )


def test_the_holidays_of_both_places_are_kept():
    # Lincoln's Birthday (12 Feb 2026, a Thursday) is Illinois's, not Florida's.
    hours = strictest_hours(DEFAULT_HOURS, RULES)
    florida_number, _ = two_places(("America/New_York", "FL"), ("America/Chicago", "IL"))
    found = window_on(date(2026, 2, 12), PartOfDay.AFTERNOON, florida_number, hours)
    assert found is not None and local(found.start, "America/New_York").date() == date(2026, 2, 13)


def test_a_floridian_number_with_a_chicago_address_starts_at_08_00_central():
    recipient, rules = two_places(("America/New_York", "FL"), ("America/Chicago", "IL"))
    hours = strictest_hours(DEFAULT_HOURS, rules)
    morning = window_on(FRI, PartOfDay.MORNING, recipient, hours)
    assert morning is not None
    assert local(morning.start, "America/New_York").time() == time(9)
    assert local(morning.start, "America/Chicago").time() == time(8)
    note = narrowing_note(
        window=morning,
        recipient=recipient,
        hours=hours,
        own=DEFAULT_HOURS,
        rules=[],
        where="address in Chicago",
    )
    assert note == "from 09:00: 08:00 Central time (address in Chicago)"


@pytest.mark.parametrize(
    ("day", "morning_starts"),
    [(date(2026, 11, 20), time(9)), (date(2026, 7, 10), time(8))],
    ids=["winter: Arizona is an hour ahead of Pacific", "summer: the same clock"],
)
def test_arizona_without_daylight_saving_against_a_pacific_address(day: date, morning_starts: time):
    recipient, rules = two_places(("America/Phoenix", "AZ"), ("America/Los_Angeles", "CA"))
    hours = strictest_hours(DEFAULT_HOURS, rules)
    morning = window_on(day, PartOfDay.MORNING, recipient, hours)
    assert morning is not None
    assert local(morning.start, "America/Phoenix").time() == morning_starts
    assert local(morning.start, "America/Los_Angeles").time() >= time(8)
    # And the other way round: a Pacific number, an Arizona address, a winter evening.
    pacific, rules = two_places(("America/Los_Angeles", "CA"), ("America/Phoenix", "AZ"))
    evening = window_on(date(2026, 11, 20), PartOfDay.EVENING, pacific, hours)
    assert evening is not None
    assert local(evening.end, "America/Los_Angeles").time() == time(20)
    assert local(evening.end, "America/Phoenix").time() == time(21)


@pytest.mark.parametrize(
    ("day", "morning_starts"),
    [(date(2026, 11, 20), time(9)), (date(2026, 7, 10), time(10))],
    ids=["winter: Alaska is an hour ahead of Hawaii", "summer: two hours"],
)
def test_hawaii_against_alaska(day: date, morning_starts: time):
    recipient, rules = two_places(("America/Anchorage", "AK"), ("Pacific/Honolulu", "HI"))
    hours = strictest_hours(DEFAULT_HOURS, rules)
    morning = window_on(day, PartOfDay.MORNING, recipient, hours)
    assert morning is not None
    assert local(morning.start, "America/Anchorage").time() == morning_starts
    assert local(morning.start, "Pacific/Honolulu").time() == time(8)


def test_strictest_hours_take_the_latest_start_the_earliest_end_and_the_smallest_cap():
    florida = CallingHours(time(8), time(20), 3)
    other = CallingHours(time(9), time(21), 5)
    assert strictest_hours(DEFAULT_HOURS, [florida, other]) == CallingHours(time(9), time(20), 3)
    assert strictest_hours(CallingHours(time(10), time(18)), [florida]) == CallingHours(time(10), time(18), 3)
    assert strictest_hours(DEFAULT_HOURS, []) == DEFAULT_HOURS
    # The seller's hours outside the rule: the rule alone.
    assert strictest_hours(CallingHours(time(20, 30), time(22)), [florida]) == florida
    # Rules that exclude each other: the contact's own place's rule.
    late = CallingHours(time(20, 30), time(21))
    assert strictest_hours(DEFAULT_HOURS, [florida, late]) == florida


def test_one_zone_contacts_plan_as_before():
    alone = Recipient(zone="America/Chicago", country="US", subdivision="IL")
    window = window_on(FRI, PartOfDay.EVENING, alone, DEFAULT_HOURS)
    assert window is not None
    assert local(window.end, "America/Chicago").time() == time(21)


def test_the_address_helpers():
    assert address_place("US", "Florida") == ("America/New_York", "FL")
    assert address_place("US", "az") == ("America/Phoenix", "AZ")
    assert address_place("US", "Atlantis") is None
    assert country_code("", default="US") == "US"
    assert country_code("usa", default="CA") == "US"
    assert country_code("ca", default="US") == "CA"
    assert country_code("Narnia", default="US") is None
    assert state_name("US", "FL") == "Florida"
    assert zone_label("America/New_York") == "Eastern"
    assert zone_label("Europe/Isle_of_Man") == "Isle of Man"
