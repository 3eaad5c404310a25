"""The API's touches, timeline, agenda and appointments: what a client sees, the domain's errors
with their status, code and field, another account's rows as 404, and bounded query counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ringback.accounts.models import Account
from ringback.activities.models import Appointment, Touch
from ringback.activities.services import appointment_book, touch_log
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.playbooks.services import enrollment_start
from ringback.testing.api import ApiClient, token_for
from ringback.testing.sellers import NOW, account, frozen_clock, make_account

__all__ = ["account", "frozen_clock"]

pytestmark = pytest.mark.django_db

#: Tuesday 24 November 2026, 10:30 in New York: inside calling hours.
TUESDAY = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
#: Tuesday 24 November 2026, 22:00 in New York: outside calling hours.
TUESDAY_NIGHT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def api(account: Account) -> ApiClient:
    """The API, as Sally's read-write token."""
    return ApiClient(token_for(account))


def person(
    account: Account, first: str = "Mary", last: str = "Smith", phone: str = "212-555-0123"
) -> Contact:
    return contact_create(account=account, first_name=first, last_name=last, phones=[PhoneInput(phone)])


def enrolled(account: Account, first: str = "Mary", phone: str = "212-555-0123") -> Contact:
    contact = person(account, first, phone=phone)
    enrollment_start(account=account, contact=contact, playbook="four-calls-two-weeks")
    return contact


def command_json(*args: str) -> Any:
    """``ringback ARGS --json --user sally``, parsed."""
    out = StringIO()
    call_command(*args, "--json", "--user", "sally", stdout=out)
    return json.loads(out.getvalue())


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error: dict[str, Any] = response.json()["error"]
    return error


# --- logging a touch ----------------------------------------------------------------------------


def test_logging_an_outcome_completes_the_step_and_answers_like_the_command(api, account):
    mary = enrolled(account)
    response = api.post(f"/contacts/{mary.pk}/touches", {"outcome": "voicemail", "note": "Left the script"})
    assert response.status_code == 201, response.content
    logged = response.json()
    touch = Touch.objects.get()
    assert logged == {
        "touch_id": touch.pk,
        "contact_id": mary.pk,
        "contact_name": "Mary Smith",
        "outcome": "voicemail",
        "channel": "call",
        "at": "2026-11-23T14:00:00Z",
        "step": "call-1",
        "phone": "+12125550123",
        "next": {
            "playbook": "four-calls-two-weeks",
            "step": "call-2",
            "channel": "call",
            "due": logged["next"]["due"],
            "until": logged["next"]["until"],
        },
        "texts_stopped": [],
    }
    assert logged["next"]["due"].endswith("Z") and logged["next"]["due"] > logged["at"]
    assert touch.note == "Left the script" and touch.step == "call-1"
    # The command answers the same fields for the next outcome.
    by_command = command_json("log", str(mary.pk), "no-answer")
    assert set(by_command) == set(logged)
    assert by_command["step"] == "call-2" and by_command["next"]["step"] == "call-3"


def test_an_outcome_at_a_past_time_with_an_offset(api, account):
    mary = enrolled(account)
    response = api.post(
        f"/contacts/{mary.pk}/touches", {"outcome": "no_answer", "at": "2026-11-23T08:30:00-05:00"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["at"] == "2026-11-23T13:30:00Z"
    assert response.json()["outcome"] == "no-answer"


def test_a_birthday_greeting_is_logged_once_a_day(api, account):
    mary = enrolled(account)
    response = api.post(f"/contacts/{mary.pk}/touches", {"outcome": "birthday", "note": "Sang"})
    assert response.status_code == 201, response.content
    greeted = response.json()
    assert greeted["outcome"] == "birthday" and greeted["step"] == "birthday" and greeted["next"] is None
    again = error_of(api.post(f"/contacts/{mary.pk}/touches", {"outcome": "greeted"}), 409)
    assert "already greeted today" in again["message"] and again["code"] == "already_logged"
    assert Touch.objects.count() == 1


def test_a_text_asking_to_stop_says_which_numbers_stopped(api, account):
    mary = person(account, phone="917-555-0100")
    response = api.post(
        f"/contacts/{mary.pk}/touches", {"outcome": "callback", "via": "text", "note": "STOP"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["texts_stopped"] == ["+19175550100"]
    assert response.json()["outcome"] == "note" and response.json()["channel"] == "sms"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"outcome": "left-a-message"}, 422, "unknown_outcome", "outcome"),
        ({"outcome": "voicemail", "at": "2026-11-23T08:30:00"}, 422, "invalid_input", "at"),
        ({"outcome": "voicemail", "at": "2026-11-24T08:30:00-05:00"}, 422, "invalid_date", "at"),
        ({"outcome": "callback", "via": "pigeon"}, 422, "invalid_input", "via"),
        ({"outcome": "voicemail", "template": "x" * 101}, 422, "invalid_input", "template"),
        ({"note": "no outcome"}, 422, "invalid_input", "outcome"),
    ],
    ids=["unknown-outcome", "naive-time", "future-time", "bad-via", "long-template", "no-outcome"],
)
def test_bad_outcomes_are_refused_with_the_field_and_log_nothing(api, account, body, status, code, field):
    mary = enrolled(account)
    error = error_of(api.post(f"/contacts/{mary.pk}/touches", body), status)
    assert (error["code"], error["field"]) == (code, field)
    assert not Touch.objects.exists()


def test_a_retried_outcome_with_the_same_idempotency_key_is_logged_once(api, account):
    mary = enrolled(account)
    first = api.post(f"/contacts/{mary.pk}/touches", {"outcome": "voicemail"}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(f"/contacts/{mary.pk}/touches", {"outcome": "voicemail"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Touch.objects.count() == 1


def test_logging_for_another_accounts_contact_is_not_found(api, account):
    theirs = enrolled(make_account("other"))
    error = error_of(api.post(f"/contacts/{theirs.pk}/touches", {"outcome": "voicemail"}), 404)
    assert error["code"] == "contact_not_found"
    assert not Touch.objects.exists()


def test_a_read_only_token_cannot_log(account):
    mary = enrolled(account)
    reader = ApiClient(token_for(account, scope="read"))
    error = error_of(reader.post(f"/contacts/{mary.pk}/touches", {"outcome": "voicemail"}), 403)
    assert error["code"] == "read_only_token"
    assert not Touch.objects.exists()


# --- the timeline -------------------------------------------------------------------------------


def test_the_timeline_lists_touches_plans_and_appointments_newest_first(api, account):
    mary = enrolled(account)
    with clock.frozen(NOW + timedelta(minutes=5)):
        touch_log(account=account, contact=mary, outcome="voicemail", note="First try")
    with clock.frozen(NOW + timedelta(minutes=10)):
        booked = appointment_book(account=account, contact=mary, starts_at=TUESDAY, note="Party date")
    response = api.get(f"/contacts/{mary.pk}/timeline")
    assert response.status_code == 200, response.content
    page = response.json()
    assert page["next_cursor"] is None
    kinds = [(e["kind"], (e["touch"] or {}).get("outcome")) for e in page["items"]]
    assert kinds == [
        ("appointment", None),
        ("ended", None),  # at the same instant as the touch that ended it (as the contact page)
        ("touch", "appointment"),
        ("touch", "voicemail"),
        ("enrolled", None),
    ]
    appointment = page["items"][0]
    assert appointment["at"] == "2026-11-24T15:30:00Z" and appointment["touch"] is None
    assert appointment["appointment"] == {
        "id": booked.pk,
        "starts_at": "2026-11-24T15:30:00Z",
        "duration_minutes": 15,
        "status": "scheduled",
        "note": "Party date",
    }
    voicemail = page["items"][3]["touch"]
    assert voicemail["note"] == "First try" and voicemail["step"] == "call-1"
    assert voicemail["direction"] == "out" and voicemail["undone_at"] is None
    started = page["items"][4]["enrollment"]
    assert started["playbook"] == "four-calls-two-weeks" and started["version"] >= 1
    assert started["playbook_title"] == "Four calls in two weeks"
    assert started["status"] == "engaged"


def test_the_timeline_comes_in_pages_that_repeat_and_skip_nothing(api, account):
    mary = person(account)
    for minute in range(7):
        with clock.frozen(NOW - timedelta(hours=1) + timedelta(minutes=minute)):
            touch_log(account=account, contact=mary, outcome="voicemail", note=f"try {minute}")
    seen: list[str] = []
    cursor = ""
    for _ in range(5):
        response = api.get(f"/contacts/{mary.pk}/timeline", {"limit": 3, "cursor": cursor})
        assert response.status_code == 200, response.content
        page = response.json()
        assert len(page["items"]) <= 3
        seen += [e["touch"]["note"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"try {minute}" for minute in reversed(range(7))]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "yesterday"}, "cursor"),
        ({"cursor": "2026-11-23T09:00:00"}, "cursor"),
        ({"limit": 0}, "limit"),
    ],
)
def test_a_damaged_timeline_cursor_or_limit_is_refused(api, account, query, field):
    mary = person(account)
    error = error_of(api.get(f"/contacts/{mary.pk}/timeline", query), 422)
    assert error["field"] == field


def test_another_accounts_timeline_is_not_found(api, account):
    theirs = person(make_account("other"))
    assert error_of(api.get(f"/contacts/{theirs.pk}/timeline"), 404)["code"] == "contact_not_found"


def test_the_timeline_takes_a_few_queries_however_long(api, account, django_assert_max_num_queries):
    mary = person(account)
    api.get(f"/contacts/{mary.pk}/timeline")  # the token's first use
    for minute in range(30):
        with clock.frozen(NOW - timedelta(hours=2) + timedelta(minutes=minute)):
            touch_log(account=account, contact=mary, outcome="no-answer")
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    appointment_book(account=account, contact=mary, starts_at=TUESDAY)
    with django_assert_max_num_queries(7):  # token (and its use), contact, phones, three lists
        response = api.get(f"/contacts/{mary.pk}/timeline", {"limit": 200})
    assert response.status_code == 200
    assert len(response.json()["items"]) == 34  # 31 touches, started, ended, the appointment


# --- the agenda ---------------------------------------------------------------------------------


def test_the_agenda_is_the_commands_json(api, account):
    enrolled(account, "Mary")
    enrolled(account, "Ann", phone="212-555-0177")
    callback = person(account, "Tom", phone="305-555-0142")
    touch_log(account=account, contact=callback, outcome="callback", note="Call me about the party")
    appointment_book(account=account, contact=person(account, "Joe", phone="212-555-0199"), starts_at=TUESDAY)
    for day in ("2026-11-23", "2026-11-24"):
        response = api.get("/agenda", {"date": day})
        assert response.status_code == 200, response.content
        assert response.json() == command_json("agenda", "--date", day)
    today = api.get("/agenda").json()
    assert today["day"] == "2026-11-23"
    assert [(i["kind"], i["contact_name"]) for i in today["items"]][:1] == [("callback", "Tom Smith")]
    assert {i["contact_name"] for i in today["items"]} >= {"Mary Smith", "Ann Smith"}
    assert today == command_json("agenda")


@pytest.mark.parametrize(
    ("day", "code"),
    [("2026-02-30", "invalid_input"), ("tomorrow", "invalid_input"), ("1850-01-01", "invalid_date")],
)
def test_a_bad_agenda_date_is_refused(api, day, code):
    error = error_of(api.get("/agenda", {"date": day}), 422)
    assert (error["code"], error["field"]) == (code, "date")


def test_the_agenda_takes_the_same_queries_for_2_or_20_contacts(api, account, django_assert_max_num_queries):
    def queries(n: int) -> int:
        for i in range(n):
            enrolled(account, f"P{n}x{i}", phone=f"212-555-{1000 + 100 * n + i:04d}")
        with CaptureQueriesContext(connection) as ctx:
            assert len(api.get("/agenda").json()["items"]) >= min(n, 2)
        return len(ctx.captured_queries)

    api.get("/agenda")  # the day's re-planning, and the token's first use
    small = queries(2)
    assert queries(18) == small
    with django_assert_max_num_queries(small):
        api.get("/agenda")


# --- appointments -------------------------------------------------------------------------------


def book_body(contact: Contact, at: datetime = TUESDAY, **more: Any) -> dict[str, Any]:
    return {"contact_id": contact.pk, "starts_at": at.isoformat(), **more}


def test_booking_an_appointment_ends_the_chase_and_shows_both_times(api, account):
    mary = enrolled(account)
    response = api.post(
        "/appointments",
        book_body(mary, at=datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("America/New_York")))
        | {"note": "Pick a party date", "duration_minutes": 30},
    )
    assert response.status_code == 201, response.content
    booked = response.json()
    appointment = Appointment.objects.get()
    assert booked == {
        "id": appointment.pk,
        "contact_id": mary.pk,
        "contact_name": "Mary Smith",
        "starts_at": "2026-11-24T15:30:00Z",
        "ends_at": "2026-11-24T16:00:00Z",
        "duration_minutes": 30,
        "status": "scheduled",
        "note": "Pick a party date",
        "your_time": "Tue 24 Nov 10:30 EST",
        "their_time": "Tue 24 Nov 10:30 EST",
        "their_zone": "America/New_York",
        "phone": "+12125550123",
        "missed": False,
        "created_at": "2026-11-23T14:00:00Z",
        "changed_at": None,
    }
    assert mary.enrollments.get().status == "engaged"
    assert api.get(f"/appointments/{appointment.pk}").json() == booked


def test_booking_twice_at_the_same_time_is_a_conflict(api, account):
    mary = person(account)
    assert api.post("/appointments", book_body(mary)).status_code == 201
    error = error_of(api.post("/appointments", book_body(mary)), 409)
    assert (error["code"], error["field"]) == ("already_booked", "starts_at")
    assert Appointment.objects.count() == 1


def test_outside_calling_hours_needs_confirming(api, account):
    mary = person(account)
    error = error_of(api.post("/appointments", book_body(mary, TUESDAY_NIGHT)), 422)
    assert (error["code"], error["field"]) == ("outside_calling_hours", "starts_at")
    assert not Appointment.objects.exists()
    confirmed = api.post("/appointments", book_body(mary, TUESDAY_NIGHT, confirm_outside_hours=True))
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json()["their_time"] == "Tue 24 Nov 22:00 EST"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"starts_at": "2026-11-24T10:30:00"}, "invalid_input", "starts_at"),
        ({"starts_at": "2026-11-20T10:30:00-05:00"}, "invalid_date", "starts_at"),
        ({"duration_minutes": 0}, "invalid_input", "duration_minutes"),
        ({"note": "x" * 1001}, "invalid_input", "note"),
    ],
    ids=["naive", "past", "no-length", "long-note"],
)
def test_bad_bookings_are_refused_with_the_field(api, account, body, code, field):
    mary = person(account)
    error = error_of(api.post("/appointments", book_body(mary) | body), 422)
    assert (error["code"], error["field"]) == (code, field)
    assert not Appointment.objects.exists()


def test_booking_another_accounts_contact_is_not_found(api, account):
    theirs = person(make_account("other"))
    assert error_of(api.post("/appointments", book_body(theirs)), 404)["code"] == "contact_not_found"
    assert not Appointment.objects.exists()


def test_a_read_only_token_reads_appointments_but_cannot_book(account):
    mary = person(account)
    reader = ApiClient(token_for(account, scope="read"))
    assert reader.get("/appointments").status_code == 200
    assert error_of(reader.post("/appointments", book_body(mary)), 403)["code"] == "read_only_token"
    assert not Appointment.objects.exists()


def test_the_list_shows_upcoming_appointments_with_filters_and_pages(api, account):
    mary, tom = person(account), person(account, "Tom", phone="212-555-0100")
    times = [TUESDAY + timedelta(days=d) for d in range(4)]
    for at in times:
        appointment_book(account=account, contact=mary, starts_at=at)
    toms = appointment_book(account=account, contact=tom, starts_at=TUESDAY + timedelta(hours=1))
    with clock.frozen(NOW - timedelta(days=3)):
        appointment_book(account=account, contact=tom, starts_at=NOW - timedelta(days=1))  # past
    listed = api.get("/appointments").json()
    assert [a["starts_at"] for a in listed["items"]][:3] == [
        "2026-11-24T15:30:00Z",
        "2026-11-24T16:30:00Z",
        "2026-11-25T15:30:00Z",
    ]
    assert len(listed["items"]) == 5 and listed["next_cursor"] is None
    assert [a["id"] for a in api.get("/appointments", {"contact_id": tom.pk}).json()["items"]] == [toms.pk]
    past = api.get("/appointments", {"start": (NOW - timedelta(days=30)).isoformat(), "end": NOW.isoformat()})
    assert [a["missed"] for a in past.json()["items"]] == [True]
    seen: list[int] = []
    cursor = ""
    while True:
        page = api.get("/appointments", {"limit": 2, "cursor": cursor}).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [a["id"] for a in listed["items"]]
    assert error_of(api.get("/appointments", {"cursor": "garbage"}), 422)["field"] == "cursor"
    assert error_of(api.get("/appointments", {"start": "2026-11-24T10:00:00"}), 422)["field"] == "start"
    assert error_of(api.get("/appointments", {"contact_id": person(make_account("other")).pk}), 404)


def test_moving_and_cancelling_an_appointment(api, account):
    mary = person(account)
    appointment = appointment_book(account=account, contact=mary, starts_at=TUESDAY, note="Party")
    later = TUESDAY + timedelta(days=1)
    moved = api.post(f"/appointments/{appointment.pk}/move", {"starts_at": later.isoformat()})
    assert moved.status_code == 200, moved.content
    assert moved.json()["starts_at"] == "2026-11-25T15:30:00Z" and moved.json()["note"] == "Party"
    assert moved.json()["changed_at"] == "2026-11-23T14:00:00Z"
    same = error_of(api.post(f"/appointments/{appointment.pk}/move", {"starts_at": later.isoformat()}), 422)
    assert (same["code"], same["field"]) == ("invalid_date", "starts_at")
    night = error_of(
        api.post(f"/appointments/{appointment.pk}/move", {"starts_at": TUESDAY_NIGHT.isoformat()}), 422
    )
    assert (night["code"], night["field"]) == ("outside_calling_hours", "starts_at")
    cancelled = api.post(f"/appointments/{appointment.pk}/cancel", {"note": "They are away"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["phone"] is None
    notes = list(Touch.objects.filter(contact=mary, outcome="note").values_list("note", flat=True))
    assert any("They are away" in n for n in notes) and any("moved" in n for n in notes)
    again = error_of(api.post(f"/appointments/{appointment.pk}/cancel", {}), 409)
    assert (again["code"], again["field"]) == ("appointment_not_scheduled", "appointment")
    again = error_of(
        api.post(f"/appointments/{appointment.pk}/move", {"starts_at": TUESDAY.isoformat()}), 409
    )
    assert again["code"] == "appointment_not_scheduled"


def test_another_accounts_appointment_is_not_found(api, account):
    other = make_account("other")
    theirs = appointment_book(account=other, contact=person(other), starts_at=TUESDAY)
    assert error_of(api.get(f"/appointments/{theirs.pk}"), 404)["code"] == "not_found"
    assert error_of(api.post(f"/appointments/{theirs.pk}/move", {"starts_at": TUESDAY.isoformat()}), 404)
    assert error_of(api.post(f"/appointments/{theirs.pk}/cancel", {}), 404)
    theirs.refresh_from_db()
    assert theirs.status == "scheduled" and theirs.starts_at == TUESDAY
