"""The calendar feed at its secret URL (issue 12, "Calendar"): what a calendar app subscribed to
it shows, read by two independent parsers (icalendar and vobject), and who may read it.

Sally sells from New York; Lou lives in Los Angeles, Liz in London. A calendar shows each call at
the seller's local time, across the daylight-saving changes (America's and Europe's differ by two
weeks); moving an appointment keeps its UID and raises its SEQUENCE; a cancelled one stays in the
feed, cancelled, so calendars take it away. Only the secret opens the feed: a replaced or turned
off secret is a 404 at once, and one account's secret never shows another's appointments.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ringback.accounts.services import (
    account_calendar_off,
    account_calendar_on,
    account_calendar_reset,
    account_create,
)
from ringback.activities.models import Appointment
from ringback.activities.selectors import FEED_PAST_DAYS
from ringback.activities.services import appointment_book, appointment_cancel, appointment_move
from ringback.activities.views.calendar import GONE
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock

pytestmark = pytest.mark.django_db

#: Monday 23 November 2026, 09:00 in New York.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
#: Tuesday 24 November, 10:00 in Los Angeles (PST, UTC-8): 13:00 in New York.
LOU_TUESDAY = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account():
    return account_create(
        username="sally", password=None, seller_name="Sally Baker", time_zone="America/New_York"
    )


@pytest.fixture
def lou(account):
    """Lou lives in Los Angeles (a 310 number)."""
    return contact_create(
        account=account, first_name="Lou", last_name="Reyes", phones=[PhoneInput("310-555-0123")]
    )


@pytest.fixture
def liz(account):
    """Liz lives in London."""
    return contact_create(
        account=account, first_name="Liz", last_name="Hart", phones=[PhoneInput("+44 20 7946 0958")]
    )


@pytest.fixture
def token(account) -> str:
    return account_calendar_on(account=account)


def fetch(token: str, client: Client | None = None, **headers: Any) -> Any:
    return (client or Client()).get(reverse("calendar_feed", kwargs={"token": token}), **headers)


def events(response: Any) -> dict[str, tuple[Any, Any]]:
    """Each event by UID: as icalendar reads it, and as vobject does (they must agree)."""
    assert response.status_code == 200, response.content[:300]
    data = response.content
    ours = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    theirs = {e.uid.value: e for e in vobject.readOne(data.decode("utf-8")).vevent_list}
    assert ours.keys() == theirs.keys()
    for uid, event in ours.items():
        other = theirs[uid]
        assert event.decoded("dtstart") == other.dtstart.value
        assert str(event["summary"]) == other.summary.value
        assert str(event["description"]) == other.description.value
        assert str(event["status"]) == other.status.value
        assert event.decoded("sequence") == int(other.sequence.value)
    return {uid: (ours[uid], theirs[uid]) for uid in ours}


def only(response: Any) -> Any:
    (event,) = events(response).values()
    return event[1]


def seller_time(event: Any) -> str:
    """When a calendar set to the seller's zone shows the event."""
    return f"{event.dtstart.value.astimezone(NEW_YORK):%a %d %b %H:%M}"


# --- what a calendar shows ------------------------------------------------------------------------


def test_the_feed_is_a_calendar_with_the_appointment_at_the_sellers_local_time(account, lou, token):
    appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY, note="Host kit, Spring line")
    response = fetch(token)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    event = only(response)
    assert seller_time(event) == "Tue 24 Nov 13:00"
    assert event.dtend.value - event.dtstart.value == timedelta(minutes=15)
    assert event.summary.value == "Call Lou Reyes (phone appointment)"
    assert event.description.value == (
        "Number: +1 310-555-0123\nTheir time: Tue 24 Nov 10:00 PST (America/Los_Angeles)\n"
        "Note: Host kit, Spring line"
    )
    assert event.status.value == "CONFIRMED"
    assert event.valarm.trigger.value == timedelta(minutes=-10)
    assert event.valarm.action.value == "DISPLAY"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "Ringback (Sally Baker)"


def test_local_times_stay_right_across_daylight_saving_changes(account, lou, liz, token):
    # America springs forward on 14 March 2027, Europe on 28 March: in between, London is four
    # hours ahead of New York instead of five.
    lou_before = appointment_book(
        account=account, contact=lou, starts_at=datetime(2027, 3, 12, 18, 0, tzinfo=UTC)
    )  # 10:00 PST
    lou_after = appointment_book(
        account=account, contact=lou, starts_at=datetime(2027, 3, 15, 17, 0, tzinfo=UTC)
    )  # 10:00 PDT
    liz_between = appointment_book(
        account=account, contact=liz, starts_at=datetime(2027, 3, 22, 10, 0, tzinfo=UTC)
    )  # 10:00 GMT
    liz_after = appointment_book(
        account=account, contact=liz, starts_at=datetime(2027, 3, 29, 9, 0, tzinfo=UTC)
    )  # 10:00 BST
    shown = {uid: event for uid, (_, event) in events(fetch(token)).items()}

    def of(appointment: Appointment) -> Any:
        return next(e for uid, e in shown.items() if uid.startswith(f"appointment-{appointment.pk}-"))

    assert seller_time(of(lou_before)) == "Fri 12 Mar 13:00"
    assert seller_time(of(lou_after)) == "Mon 15 Mar 13:00"
    assert seller_time(of(liz_between)) == "Mon 22 Mar 06:00"
    assert seller_time(of(liz_after)) == "Mon 29 Mar 05:00"
    assert "Their time: Fri 12 Mar 10:00 PST (America/Los_Angeles)" in of(lou_before).description.value
    assert "Their time: Mon 15 Mar 10:00 PDT (America/Los_Angeles)" in of(lou_after).description.value
    assert "Their time: Mon 22 Mar 10:00 GMT (Europe/London)" in of(liz_between).description.value
    assert "Their time: Mon 29 Mar 10:00 BST (Europe/London)" in of(liz_after).description.value


def test_moving_keeps_the_uid_and_raises_the_sequence_each_time(account, lou, token):
    booked = appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY)
    first = only(fetch(token))
    appointment_move(account=account, appointment=booked, starts_at=LOU_TUESDAY + timedelta(hours=1))
    second = only(fetch(token))
    appointment_move(account=account, appointment=booked, starts_at=LOU_TUESDAY + timedelta(days=1))
    third = only(fetch(token))
    assert first.uid.value == second.uid.value == third.uid.value
    assert first.uid.value.startswith(f"appointment-{booked.pk}-")
    assert [int(e.sequence.value) for e in (first, second, third)] == [0, 1, 2]
    assert [seller_time(e) for e in (first, second, third)] == [
        "Tue 24 Nov 13:00",
        "Tue 24 Nov 14:00",
        "Wed 25 Nov 13:00",
    ]
    assert third.dtstamp.value == NOW  # when it last changed (the clock stands still here)


def test_a_cancelled_appointment_stays_in_the_feed_cancelled(account, lou, token):
    booked = appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY)
    before = only(fetch(token))
    appointment_cancel(account=account, appointment=booked, note="she is away")
    ours, event = next(iter(events(fetch(token)).values()))
    assert event.uid.value == before.uid.value
    assert event.status.value == "CANCELLED"
    assert int(event.sequence.value) == 1
    assert event.summary.value == "Cancelled: Call Lou Reyes (phone appointment)"
    assert list(ours.walk("VALARM")) == []


def test_a_long_non_ascii_name_and_note_are_folded_into_valid_lines(account, token):
    name = ("Zoë-Éléonore", "Ñúñez-Þórsdóttir Παπαδοπούλου 李小龍 🎉")
    note = "Rappeler à propos du kit « Printemps »; elle préfère le matin, pas le mercredi.\n" * 4
    person = contact_create(
        account=account, first_name=name[0], last_name=name[1], phones=[PhoneInput("310-555-0199")]
    )
    appointment_book(account=account, contact=person, starts_at=LOU_TUESDAY, note=note)
    response = fetch(token)
    raw = response.content
    assert raw.endswith(b"\r\n")
    for line in raw[:-2].split(b"\r\n"):
        assert len(line) <= 75 and b"\n" not in line, line
    event = only(response)
    assert event.summary.value == f"Call {name[0]} {name[1]} (phone appointment)"
    assert event.description.value.endswith("Note: " + note.strip())


def test_a_done_appointment_stays_as_it_was(account, lou, token):
    booked = appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY)
    before = fetch(token).content
    Appointment.objects.filter(pk=booked.pk).update(status="done")
    assert fetch(token).content == before


# --- the feed is bounded, and cheap ---------------------------------------------------------------


def test_the_feed_keeps_sixty_days_back_and_everything_ahead(account, lou, token):
    old = appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY)
    recent = appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY + timedelta(days=2))
    far = appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY + timedelta(days=700))
    later = LOU_TUESDAY + timedelta(days=FEED_PAST_DAYS, hours=1)  # 60 days after the first, and an hour
    with clock.frozen(later):
        shown = {uid.split("-")[1] for uid in events(fetch(token))}
    assert shown == {str(recent.pk), str(far.pk)}
    assert str(old.pk) not in shown


def test_the_feed_takes_three_queries_however_many_appointments(
    account, token, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert fetch(token).status_code == 200
        assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries), "a GET wrote"
        return len(queries)

    person = contact_create(account=account, first_name="First", phones=[PhoneInput("310-555-0100")])
    appointment_book(account=account, contact=person, starts_at=LOU_TUESDAY)
    one = count()
    for n in range(30):
        person = contact_create(
            account=account, first_name=f"Person {n}", phones=[PhoneInput(f"310-555-{n + 1:04d}")]
        )
        appointment_book(
            account=account, contact=person, starts_at=LOU_TUESDAY + timedelta(hours=n % 5, days=n)
        )
    assert count() == one
    with django_assert_max_num_queries(3):
        assert len(events(fetch(token))) == 31


def test_an_unchanged_feed_answers_304_to_its_etag(account, lou, token):
    booked = appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY)
    first = fetch(token)
    etag = first["ETag"]
    assert fetch(token, HTTP_IF_NONE_MATCH=etag).status_code == 304
    appointment_move(account=account, appointment=booked, starts_at=LOU_TUESDAY + timedelta(hours=1))
    changed = fetch(token, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "no-cache" in changed["Cache-Control"] and "private" in changed["Cache-Control"]


# --- only the secret opens it ----------------------------------------------------------------------


def test_no_sign_in_is_needed_and_only_get_and_head_are_answered(account, lou, token):
    appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY)
    url = reverse("calendar_feed", kwargs={"token": token})
    assert Client().head(url).status_code == 200
    assert Client().post(url).status_code == 405
    assert url == f"/calendar/{token}.ics"


def test_a_new_secret_stops_the_old_url_at_once(account, lou, token):
    appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY)
    assert fetch(token).status_code == 200
    new = account_calendar_reset(account=account)
    gone = fetch(token)
    assert gone.status_code == 404
    assert gone["Content-Type"] == "text/plain; charset=utf-8"
    assert gone.content.decode() == GONE
    assert b"Lou" not in gone.content
    assert len(events(fetch(new))) == 1


def test_a_feed_turned_off_is_a_404_and_turning_it_on_again_makes_a_new_url(account, lou, token):
    appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY)
    assert account_calendar_off(account=account) is True
    assert fetch(token).status_code == 404
    again = account_calendar_on(account=account)
    assert again != token
    assert fetch(token).status_code == 404
    assert fetch(again).status_code == 200


@pytest.mark.parametrize(
    "wrong",
    [
        "A" * 43,  # shaped like a secret, but none
        "short",
        "A" * 44,
        "a" * 500,
    ],
)
def test_any_other_secret_gets_the_same_404(account, token, wrong):
    response = fetch(wrong)
    assert response.status_code == 404
    assert response.content.decode() == GONE


def test_a_url_with_other_characters_is_no_route_at_all(account, token):
    assert Client().get(f"/calendar/{token[:20]}%2F{token[21:]}.ics").status_code == 404
    assert Client().get(f"/calendar/{token}").status_code == 404


def test_one_accounts_secret_never_shows_anothers_appointments(account, lou, token):
    appointment_book(account=account, contact=lou, starts_at=LOU_TUESDAY, note="Sally's private note")
    bob = account_create(username="bob", password=None, seller_name="Bob Other", time_zone="America/Chicago")
    bea = contact_create(account=bob, first_name="Bea", last_name="Bee", phones=[PhoneInput("312-555-0101")])
    appointment_book(account=bob, contact=bea, starts_at=LOU_TUESDAY + timedelta(hours=1))
    bobs = fetch(account_calendar_on(account=bob))
    assert [e.summary.value for _, e in events(bobs).values()] == ["Call Bea Bee (phone appointment)"]
    assert b"Lou" not in bobs.content and b"private note" not in bobs.content
    sallys = fetch(token)
    assert [e.summary.value for _, e in events(sallys).values()] == ["Call Lou Reyes (phone appointment)"]
    # A signed-in Bob who guesses at Sally's feed with his own secret's neighbours gets nothing.
    client = Client()
    client.force_login(bob.memberships.get().user)
    assert fetch(token[:-1] + ("A" if token[-1] != "A" else "B"), client).status_code == 404
