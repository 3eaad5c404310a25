"""Working days as sellers write them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.errors import InvalidInput
from ringback.core.workweek import parse_weekdays, weekdays_text, weekdays_words


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Mon, Wed, Fri", {0, 2, 4}),
        ("monday,tuesday", {0, 1}),
        ("sat-mon", {5, 6, 0}),
        ("tue-thu,sat", {1, 2, 3, 5}),
    ],
)
def test_days_and_ranges_are_read(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", " , ", "funday", "mon-someday"])
def test_what_is_no_day_is_refused_with_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_weekdays(text)
    assert caught.value.field == "working_days"


def test_words() -> None:
    assert weekdays_words(frozenset(range(5))) == "Monday to Friday"
    assert weekdays_words(frozenset(range(7))) == "every day"
    assert weekdays_words(frozenset({0, 2, 4})) == "Mon, Wed, Fri"


@given(st.frozensets(st.integers(0, 6), min_size=1))
def test_the_stored_text_reads_back(days: frozenset[int]) -> None:
    assert parse_weekdays(weekdays_text(days)) == days


# --- the engine plans only on the seller's working days (issue 11, #6) -----------------------

from datetime import UTC, datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from ringback.core.playbook import ALL_PARTS, Channel, Wait  # noqa: E402
from ringback.core.scheduling import Recipient, WorkWeek, find_window  # noqa: E402

ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu", "Europe/London"]


@settings(deadline=None)
@given(
    st.frozensets(st.integers(0, 6), min_size=1, max_size=6),
    st.sampled_from(ZONES),
    st.sampled_from(ZONES),
    st.sampled_from([Channel.CALL, Channel.MAIL, Channel.EMAIL]),
    st.integers(0, 6),
    st.integers(0, 8),
    st.integers(0, 24 * 14),
)
def test_no_step_is_planned_on_a_day_the_seller_does_not_work(
    days: frozenset[int], seller: str, contact: str, channel: Channel, wait: int, spread: int, hours: int
) -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(hours=hours)
    week = WorkWeek(days, seller)
    window = find_window(
        channel=channel,
        wait=Wait(wait, wait + spread),
        reference=start,
        not_before=start,
        recipient=Recipient(zone=contact, country="US", subdivision=""),
        parts=ALL_PARTS,
        workweek=week,
    )
    if window is None:
        # Only when no working day can take the channel at all (no calls or mail on Sundays).
        assert days <= {6}
        return
    assert window.start.astimezone(ZoneInfo(seller)).weekday() in days


def test_a_saturday_seller_far_west_of_the_contact_mails_on_the_part_of_their_day_that_is_saturday() -> None:
    # Found by hypothesis: Saturday in Honolulu runs from Saturday 10:00 to Sunday 10:00 in London,
    # where no mail goes on Sunday; London's Saturday begins on Friday in Honolulu. The window
    # is the part of London's Saturday that is the seller's Saturday.
    start = datetime(2026, 3, 2, tzinfo=UTC)
    window = find_window(
        channel=Channel.MAIL,
        wait=Wait(0, 0),
        reference=start,
        not_before=start,
        recipient=Recipient(zone="Europe/London", country="US", subdivision=""),
        parts=ALL_PARTS,
        workweek=WorkWeek(frozenset({5}), "Pacific/Honolulu"),
    )
    assert window is not None
    honolulu = window.start.astimezone(ZoneInfo("Pacific/Honolulu"))
    assert honolulu.weekday() == 5 and (honolulu.hour, honolulu.minute) == (0, 0)
    assert window.end.astimezone(ZoneInfo("Europe/London")).weekday() in (5, 6)
