"""Appointments outside the contact's calling hours ask for confirmation; a scheduled appointment
can be cancelled or moved, once, with a note on the contact's timeline (issue 11, #15)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringback.accounts.services import account_create
from ringback.activities.models import Appointment, Touch
from ringback.activities.services import (
    appointment_book,
    appointment_cancel,
    appointment_move,
    contact_set_do_not_contact,
)
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.errors import (
    AlreadyBooked,
    AppointmentNotScheduled,
    InvalidDate,
    NotFound,
    OutsideCallingHours,
    Suppressed,
)
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.services import enrollment_start

#: Monday 23 November 2026: 09:00 in New York (the seller), 04:00 in Honolulu.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
#: Tuesday 24 November, 03:00 in Honolulu (HST is UTC-10).
HAWAII_3AM = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
#: Tuesday 24 November, 10:30 in Honolulu.
HAWAII_1030 = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account():
    return account_create(username="sally", password="a-long-password", time_zone="America/New_York")


@pytest.fixture
def kai(account):
    """Kai lives in Honolulu (an 808 number)."""
    return contact_create(
        account=account, first_name="Kai", last_name="Akana", phones=[PhoneInput("808-555-0123")]
    )


def notes(contact) -> list[str]:
    return list(
        Touch.objects.filter(contact=contact, outcome="note").order_by("id").values_list("note", flat=True)
    )


# --- booking outside the calling hours --------------------------------------------------------


def test_a_booking_at_3am_their_time_asks_for_confirmation_and_changes_nothing(account, kai):
    with pytest.raises(OutsideCallingHours) as caught:
        appointment_book(account=account, contact=kai, starts_at=HAWAII_3AM)
    assert caught.value.field == "starts_at"
    assert caught.value.code == "outside_calling_hours"
    assert str(caught.value) == (
        "Tue 24 Nov 03:00 HST is outside Kai Akana's calling hours (08:00-21:00 their time); "
        "confirm to book it anyway"
    )
    assert not Appointment.objects.exists()
    assert not Touch.objects.exists()


def test_a_confirmed_booking_outside_the_hours_is_booked(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_3AM, confirm_outside_hours=True)
    assert booked.starts_at == HAWAII_3AM
    assert Touch.objects.filter(contact=kai, outcome="appointment").count() == 1


def test_the_state_rules_and_the_sellers_hours_decide_too(account):
    # Florida: 08:00-20:00. 20:30 in Miami is inside the default hours but not Florida's.
    flo = contact_create(account=account, first_name="Flo", phones=[PhoneInput("305-555-0100")])
    evening = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)  # Mon 23 Nov 20:30 EST
    with pytest.raises(OutsideCallingHours, match="08:00-20:00 their time"):
        appointment_book(account=account, contact=flo, starts_at=evening)
    # New York, 20:30: inside.
    ned = contact_create(account=account, first_name="Ned", phones=[PhoneInput("212-555-0100")])
    appointment_book(account=account, contact=ned, starts_at=evening)


def test_a_booking_inside_the_hours_needs_no_confirmation(account, kai):
    appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    assert Appointment.objects.count() == 1


# --- cancelling --------------------------------------------------------------------------------


def test_cancelling_frees_the_time_and_notes_it_on_the_timeline(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030, note="host kit")
    cancelled = appointment_cancel(account=account, appointment=booked, note="she is away")
    assert cancelled.status == "cancelled"
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    assert notes(kai) == ["Appointment cancelled: Tue 24 Nov 10:30 HST their time (host kit) — she is away"]
    # The time is free again.
    appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)


def test_cancelling_does_not_restart_the_chase(account, kai):
    enrollment = enrollment_start(account=account, contact=kai, playbook="call-mail-call")
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENGAGED
    appointment_cancel(account=account, appointment=booked)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENGAGED


def test_only_a_scheduled_appointment_can_be_cancelled(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    appointment_cancel(account=account, appointment=booked)
    with pytest.raises(AppointmentNotScheduled) as caught:
        appointment_cancel(account=account, appointment=booked)
    assert caught.value.field == "appointment"
    assert str(caught.value) == (
        "Kai Akana's appointment at Tue 24 Nov 10:30 HST is cancelled: only a scheduled one can be "
        "cancelled; nothing was changed"
    )
    Appointment.objects.filter(pk=booked.pk).update(status="scheduled")
    Appointment.objects.filter(pk=booked.pk).update(status="done")
    with pytest.raises(AppointmentNotScheduled, match="is done"):
        appointment_cancel(account=account, appointment=booked)
    assert len(notes(kai)) == 1


def test_another_accounts_appointment_is_not_found(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    bob = account_create(username="bob", password="a-long-password")
    with pytest.raises(NotFound, match="no such appointment"):
        appointment_cancel(account=bob, appointment=booked)
    with pytest.raises(NotFound, match="no such appointment"):
        appointment_move(account=bob, appointment=booked, starts_at=HAWAII_1030 + timedelta(hours=1))
    booked.refresh_from_db()
    assert (booked.status, booked.starts_at) == ("scheduled", HAWAII_1030)
    assert notes(kai) == []


# --- moving ------------------------------------------------------------------------------------


def test_moving_changes_the_time_and_notes_both_times(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030, note="host kit")
    later = HAWAII_1030 + timedelta(days=1, hours=1)
    moved = appointment_move(account=account, appointment=booked, starts_at=later)
    assert moved.starts_at == later
    booked.refresh_from_db()
    assert (booked.starts_at, booked.status, booked.note) == (later, "scheduled", "host kit")
    assert notes(kai) == ["Appointment moved from Tue 24 Nov 10:30 HST to Wed 25 Nov 11:30 HST (their time)"]
    assert Appointment.objects.count() == 1
    assert Touch.objects.filter(contact=kai, outcome="appointment").count() == 1


def test_moving_outside_the_hours_asks_then_moves_when_confirmed(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    with pytest.raises(OutsideCallingHours) as caught:
        appointment_move(account=account, appointment=booked, starts_at=HAWAII_3AM)
    assert caught.value.field == "starts_at"
    booked.refresh_from_db()
    assert booked.starts_at == HAWAII_1030
    appointment_move(account=account, appointment=booked, starts_at=HAWAII_3AM, confirm_outside_hours=True)
    booked.refresh_from_db()
    assert booked.starts_at == HAWAII_3AM


def test_moving_a_cancelled_appointment_is_refused(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    appointment_cancel(account=account, appointment=booked)
    with pytest.raises(AppointmentNotScheduled, match="only a scheduled one can be moved"):
        appointment_move(account=account, appointment=booked, starts_at=HAWAII_1030 + timedelta(hours=2))
    booked.refresh_from_db()
    assert booked.starts_at == HAWAII_1030


def test_moving_onto_a_booked_time_is_refused(account, kai):
    first = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    second = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030 + timedelta(hours=2))
    with pytest.raises(
        AlreadyBooked, match="Kai Akana already has an appointment at Tue 24 Nov 10:30 HST"
    ) as caught:
        appointment_move(account=account, appointment=second, starts_at=HAWAII_1030)
    assert caught.value.field == "starts_at"
    second.refresh_from_db()
    assert second.starts_at == HAWAII_1030 + timedelta(hours=2)
    first.refresh_from_db()
    assert first.status == "scheduled"


def test_moving_to_the_same_time_or_into_the_past_is_refused(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    with pytest.raises(InvalidDate, match="already at Tue 24 Nov 10:30 HST") as same:
        appointment_move(account=account, appointment=booked, starts_at=HAWAII_1030)
    assert same.value.field == "starts_at"
    with pytest.raises(InvalidDate, match="is in the past") as past:
        appointment_move(account=account, appointment=booked, starts_at=NOW - timedelta(hours=1))
    assert past.value.field == "starts_at"
    assert notes(kai) == []


def test_a_missed_appointment_can_be_moved_to_a_later_day(account, kai):
    with clock.frozen(NOW - timedelta(days=2)):
        missed = appointment_book(
            account=account, contact=kai, starts_at=NOW - timedelta(hours=17, minutes=30)
        )
    appointment_move(account=account, appointment=missed, starts_at=HAWAII_1030)
    missed.refresh_from_db()
    assert missed.starts_at == HAWAII_1030


def test_a_contact_marked_do_not_contact_cannot_be_moved_to_but_can_be_cancelled(account, kai):
    booked = appointment_book(account=account, contact=kai, starts_at=HAWAII_1030)
    contact_set_do_not_contact(account=account, contact=kai)
    with pytest.raises(Suppressed):
        appointment_move(account=account, appointment=booked, starts_at=HAWAII_1030 + timedelta(hours=1))
    appointment_cancel(account=account, appointment=booked)
