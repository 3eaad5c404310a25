"""What a logged outcome records: the last call, the step it belongs to (issue 11: #14, #16)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringback.activities.models import Touch
from ringback.activities.services import appointment_book, touch_log
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.playbooks.services import enrollment_start

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York

pytestmark = pytest.mark.django_db


def person(account, first="Mary", number="212-555-0123"):
    return contact_create(account=account, first_name=first, last_name="Smith", phones=[PhoneInput(number)])


@pytest.mark.parametrize("outcome", ["appointment", "not-interested", "connected", "voicemail"])
def test_every_call_made_counts_as_the_last_call(account, outcome):
    mary = person(account)
    with clock.frozen(NOW):
        touch_log(account=account, contact=mary, outcome=outcome)
    mary.refresh_from_db()
    assert mary.last_called_at == NOW


def test_a_callback_or_a_wrong_number_is_no_call_to_them(account):
    mary, tom = person(account), person(account, "Tom", "212-555-0124")
    with clock.frozen(NOW):
        touch_log(account=account, contact=mary, outcome="callback")
        touch_log(account=account, contact=tom, outcome="wrong-number")
    mary.refresh_from_db()
    tom.refresh_from_db()
    assert mary.last_called_at is None and tom.last_called_at is None


def test_a_booking_on_the_third_call_is_recorded_at_the_third_step(account):
    mary = person(account)
    with clock.frozen(NOW):
        enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    at = NOW
    for _ in range(2):
        enrollment = mary.enrollments.get()
        at = max(at, enrollment.due_start) + timedelta(minutes=1)
        with clock.frozen(at):
            touch_log(account=account, contact=mary, outcome="voicemail")
    enrollment = mary.enrollments.get()
    at = max(at, enrollment.due_start) + timedelta(minutes=1)
    with clock.frozen(at):
        appointment_book(account=account, contact=mary, starts_at=at + timedelta(days=2))
    booked = Touch.objects.get(contact=mary, outcome="appointment")
    assert (booked.step, booked.attempt) == ("call-3", 3)


def test_a_callback_is_credited_to_the_last_message_left(account):
    mary = person(account)
    with clock.frozen(NOW):
        enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    enrollment = mary.enrollments.get()
    at = max(NOW, enrollment.due_start) + timedelta(minutes=1)
    with clock.frozen(at):
        touch_log(account=account, contact=mary, outcome="voicemail")
    with clock.frozen(at + timedelta(hours=2)):
        touch_log(account=account, contact=mary, outcome="callback")
    back = Touch.objects.get(contact=mary, outcome="callback")
    assert (back.step, back.attempt) == ("call-1", 1)
