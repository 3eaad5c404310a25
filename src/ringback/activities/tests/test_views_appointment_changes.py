"""The Appointments page shows the number to call and cancels or moves a scheduled appointment;
bookings outside the contact's calling hours ask for confirmation on every form (issue 11, #15)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model

from ringback.accounts.services import account_create
from ringback.activities.models import Appointment, Touch
from ringback.activities.services import appointment_book
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.playbooks.services import enrollment_start

#: Monday 23 November 2026: 08:00 in Chicago (the seller), 04:00 in Honolulu.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
#: Tuesday 24 November, 10:30 in Honolulu (14:30 in Chicago).
HAWAII_1030 = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account():
    return account_create(username="sally", password="a-long-password", time_zone="America/Chicago")


@pytest.fixture
def seller(client, account):
    client.force_login(get_user_model().objects.get(username="sally"))
    return client


@pytest.fixture
def kai(account):
    return contact_create(
        account=account, first_name="Kai", last_name="Akana", phones=[PhoneInput("808-555-0123")]
    )


@pytest.fixture
def booked(account, kai):
    return appointment_book(account=account, contact=kai, starts_at=HAWAII_1030, note="host kit")


def text(response) -> str:
    return unescape(response.content.decode())


def notes(contact) -> list[str]:
    return list(Touch.objects.filter(contact=contact, outcome="note").values_list("note", flat=True))


def test_the_page_shows_the_number_to_call_and_the_actions(seller, booked):
    html = seller.get("/appointments/").content.decode()
    row = re.search(
        rf'<li class="appt appt-scheduled" id="appt-{booked.pk}">.*?</li>\s*<!-- /appt -->', html, re.S
    )
    assert row is not None, html
    found = row.group(0)
    assert 'href="tel:+18085550123"' in found
    assert "+1 808-555-0123" in found
    assert f'action="/appointments/{booked.pk}/cancel/"' in found
    assert f'action="/appointments/{booked.pk}/move/"' in found
    # The move form is in Kai's time, filled with the current time.
    assert 'value="2026-11-24T10:30"' in found and "Pacific/Honolulu" in found
    assert 'name="submission_token"' in found and 'name="csrfmiddlewaretoken"' in found


def test_a_done_or_cancelled_appointment_has_no_actions(seller, booked):
    Appointment.objects.filter(pk=booked.pk).update(status="cancelled")
    html = seller.get("/appointments/").content.decode()
    assert f"/appointments/{booked.pk}/cancel/" not in html and "tel:" not in html


def test_cancel_without_javascript(seller, booked, kai):
    response = seller.post(f"/appointments/{booked.pk}/cancel/", {"note": "she is away"})
    assert response.status_code == 302 and response["Location"] == "/appointments/"
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    assert notes(kai) == ["Appointment cancelled: Tue 24 Nov 10:30 HST their time (host kit) — she is away"]
    page = text(seller.get("/appointments/"))
    assert "Cancelled the call with Kai Akana on Tue 24 Nov at 14:30 CST (10:30 HST their time)." in page
    assert "badge-cancelled" in page


def test_cancel_with_htmx_swaps_the_list(seller, booked):
    response = seller.post(f"/appointments/{booked.pk}/cancel/", {}, **HTMX)
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and 'id="appointments-body"' in body
    assert "Cancelled the call with Kai Akana" in body and "badge-cancelled" in body


def test_cancelling_twice_says_why_and_changes_nothing(seller, booked, kai):
    seller.post(f"/appointments/{booked.pk}/cancel/", {})
    again = seller.post(f"/appointments/{booked.pk}/cancel/", {}, follow=True)
    assert "only a scheduled one can be cancelled; nothing was changed" in text(again)
    assert len(notes(kai)) == 1


def test_move_without_javascript(seller, booked, kai):
    response = seller.post(f"/appointments/{booked.pk}/move/", {"starts_at": "2026-11-25T11:00"})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.starts_at == datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
    assert notes(kai) == ["Appointment moved from Tue 24 Nov 10:30 HST to Wed 25 Nov 11:00 HST (their time)"]
    page = text(seller.get("/appointments/"))
    assert "Moved the call with Kai Akana to Wed 25 Nov at 15:00 CST (11:00 HST their time)." in page


def test_move_outside_the_hours_asks_for_confirmation_then_moves(seller, booked):
    url = f"/appointments/{booked.pk}/move/"
    refused = seller.post(url, {"starts_at": "2026-11-25T03:00"})
    assert refused.status_code == 400
    page = text(refused)
    error = re.search(
        r'<small id="move-\d+-starts_at_error" class="field-error"[^>]*>(.*?)</small>', page, re.S
    )
    assert error is not None, page
    assert (
        "Wed 25 Nov 03:00 HST is outside Kai Akana's calling hours (08:00-21:00 their time)" in error.group(1)
    )
    assert 'name="confirm_outside_hours"' in page and "Move anyway" in page
    booked.refresh_from_db()
    assert booked.starts_at == HAWAII_1030
    moved = seller.post(url, {"starts_at": "2026-11-25T03:00", "confirm_outside_hours": "on"})
    assert moved.status_code == 302
    booked.refresh_from_db()
    assert booked.starts_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def test_move_errors_go_next_to_the_time_with_htmx(seller, booked, account, kai):
    appointment_book(account=account, contact=kai, starts_at=HAWAII_1030 + timedelta(hours=2))
    url = f"/appointments/{booked.pk}/move/"
    for value, message in (
        ("", "Pick the date and time."),
        ("tomorrow", "Pick a date and a time"),
        ("2026-11-22T10:00", "That time has passed"),
        ("2026-11-24T12:30", "Kai Akana already has an appointment at Tue 24 Nov 12:30 HST"),
    ):
        response = seller.post(url, {"starts_at": value}, **HTMX)
        assert response.status_code == 200
        body = text(response)
        assert 'id="appointments-body"' in body
        error = re.search(rf'<small id="move-{booked.pk}-starts_at_error"[^>]*>(.*?)</small>', body, re.S)
        assert error is not None and message in error.group(1), (value, body)
    booked.refresh_from_db()
    assert booked.starts_at == HAWAII_1030


def test_another_accounts_appointment_is_not_found(client, booked):
    account_create(username="bob", password="a-long-password")
    client.force_login(get_user_model().objects.get(username="bob"))
    assert client.post(f"/appointments/{booked.pk}/cancel/", {}).status_code == 404
    assert (
        client.post(f"/appointments/{booked.pk}/move/", {"starts_at": "2026-11-25T11:00"}).status_code == 404
    )
    booked.refresh_from_db()
    assert (booked.status, booked.starts_at) == ("scheduled", HAWAII_1030)


def test_cancel_and_move_take_only_post(seller, booked):
    assert seller.get(f"/appointments/{booked.pk}/cancel/").status_code == 405
    assert seller.get(f"/appointments/{booked.pk}/move/").status_code == 405


# --- booking outside the hours asks for confirmation -----------------------------------------


def test_the_contact_page_asks_before_booking_outside_the_hours(seller, kai):
    url = f"/contacts/{kai.pk}/appointment/"
    form = {"appt-starts_at": "2026-11-24T03:00", "appt-duration": "15"}
    refused = seller.post(url, form)
    assert refused.status_code == 400
    page = text(refused)
    assert "Tue 24 Nov 03:00 HST is outside Kai Akana's calling hours (08:00-21:00 their time)" in page
    assert 'name="appt-confirm_outside_hours"' in page and "Book anyway" in page
    assert not Appointment.objects.exists()
    booked = seller.post(url, {**form, "appt-confirm_outside_hours": "on"})
    assert booked.status_code == 302
    assert Appointment.objects.get().starts_at == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


def test_the_contact_page_books_inside_the_hours_without_asking(seller, kai):
    response = seller.post(
        f"/contacts/{kai.pk}/appointment/", {"appt-starts_at": "2026-11-24T10:30", "appt-duration": "15"}
    )
    assert response.status_code == 302
    page = text(seller.get(f"/contacts/{kai.pk}/"))
    assert "Book anyway" not in page


def test_todays_connected_form_asks_before_booking_outside_the_hours(seller, account, kai):
    enrollment = enrollment_start(account=account, contact=kai, playbook="call-mail-call")
    assert enrollment.due_start is not None
    card = {
        "kind": "call",
        "enrollment": str(enrollment.pk),
        "step": "first-call",
        "due": enrollment.due_start.isoformat(),
        "appointment": "",
        "phone": "+18085550123",
        "result": "connected",
    }
    url = f"/today/{kai.pk}/connected/"
    refused = seller.post(url, {**card, "book_at": "2026-11-24T03:00"})
    page = text(refused)
    assert "outside Kai Akana's calling hours" in page and "Book anyway" in page
    assert not Appointment.objects.exists()
    done = seller.post(url, {**card, "book_at": "2026-11-24T03:00", "confirm_outside_hours": "on"})
    assert done.status_code == 302
    assert Appointment.objects.get().starts_at == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


def test_the_today_appointment_card_links_to_move_or_cancel(seller, account, kai):
    with clock.frozen(NOW - timedelta(days=1)):
        booked = appointment_book(account=account, contact=kai, starts_at=NOW + timedelta(hours=7))
    html = seller.get("/").content.decode()
    assert f'href="/appointments/#appt-{booked.pk}"' in html
