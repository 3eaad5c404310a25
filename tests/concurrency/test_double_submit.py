"""Twenty identical POSTs at the same moment: a double tap (one form, one submission token) gets
the first result twenty times; twenty tabs (each its own token) change things once and the rest
are told why not. Never a duplicate row, never a 500.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from html import unescape
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse

from ringback.accounts.models import Account, Vacation
from ringback.activities.models import Appointment, Touch
from ringback.contacts.models import Contact, Tag
from ringback.contacts.services import PhoneInput, contact_create
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start
from ringback.testing.racing import PARALLEL, at_once, tabs, token_in

if TYPE_CHECKING:
    # What the test client answers (a response with .content, .context...): a stub-only type.
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db(transaction=True)


def post_all(
    clients: list[Client], url: str, data: Mapping[str, str | Sequence[str]], *, token: str | None
) -> list[Response]:
    """POST ``data`` from every client at once: with one shared token, or a fresh one each."""

    def send(index: int) -> Response:
        sent = {**data, "submission_token": token or secrets.token_urlsafe(18)}
        return clients[index].post(url, sent)

    return at_once(len(clients), send)


def text(response: Response) -> str:
    return unescape(response.content.decode())


def same_result(responses: list[Response]) -> None:
    """Every response is the first one again: same status, same place, same page."""
    first = responses[0]
    assert first.status_code in (200, 302), text(first)
    for response in responses:
        assert response.status_code == first.status_code
        assert response.get("Location") == first.get("Location")
        assert response.content == first.content


def one_done_rest_refused(responses: list[Response], done: int, refusal: str) -> None:
    statuses = sorted(r.status_code for r in responses)
    assert 500 not in statuses
    done_count = sum(1 for r in responses if r.status_code == done and refusal not in text(r))
    refused = [r for r in responses if refusal in text(r)]
    assert (done_count, len(refused)) == (1, PARALLEL - 1), statuses


# --- appointment booking -----------------------------------------------------------------------

APPOINTMENT = {"appt-starts_at": "2026-11-24T10:30", "appt-duration": "15", "appt-note": "party"}


def test_a_double_submitted_booking_books_once_and_answers_alike(account: Account, mary: Contact) -> None:
    clients = tabs(account)
    url = reverse("contacts:appointment", args=[mary.pk])
    token = token_in(text(clients[0].get(reverse("contacts:detail", args=[mary.pk]))), url)
    responses = post_all(clients, url, APPOINTMENT, token=token)
    same_result(responses)
    assert responses[0].status_code == 302
    assert Appointment.objects.count() == 1
    assert Touch.objects.filter(outcome="appointment").count() == 1


def test_bookings_from_twenty_tabs_book_once(account: Account, mary: Contact) -> None:
    url = reverse("contacts:appointment", args=[mary.pk])
    responses = post_all(tabs(account, htmx=True), url, APPOINTMENT, token=None)
    one_done_rest_refused(responses, 200, "This appointment is already booked; nothing was changed.")
    assert Appointment.objects.count() == 1
    assert Touch.objects.filter(outcome="appointment").count() == 1


# --- adding a contact --------------------------------------------------------------------------

NEW_CONTACT = {"first_name": "Tom", "last_name": "Jones", "phone": "(212) 555-0199", "phone_label": "mobile"}


def test_a_double_submitted_contact_is_added_once(account: Account) -> None:
    clients = tabs(account)
    url = reverse("contacts:add")
    token = token_in(text(clients[0].get(url)), url)
    responses = post_all(clients, url, NEW_CONTACT, token=token)
    same_result(responses)
    tom = Contact.objects.get()
    assert responses[0]["Location"] == reverse("contacts:detail", args=[tom.pk])


def test_the_same_number_added_from_twenty_tabs_makes_one_contact(account: Account) -> None:
    responses = post_all(tabs(account), reverse("contacts:add"), NEW_CONTACT, token=None)
    one_done_rest_refused(responses, 302, "Tom Jones already has this number.")
    assert Contact.objects.count() == 1


# --- do not contact ----------------------------------------------------------------------------

DNC = {"dnc-confirm": "on", "dnc-note": "asked us to stop"}


def test_a_double_submitted_do_not_contact_logs_once(account: Account, mary: Contact) -> None:
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    clients = tabs(account, htmx=True)
    url = reverse("contacts:do_not_contact", args=[mary.pk])
    token = token_in(text(clients[0].get(url)), url)
    responses = post_all(clients, url, DNC, token=token)
    same_result(responses)
    assert "Mary Smith will not be contacted again" in text(responses[0])
    assert Touch.objects.filter(outcome="do-not-contact").count() == 1


def test_do_not_contact_from_twenty_tabs_logs_once(account: Account, mary: Contact) -> None:
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    url = reverse("contacts:do_not_contact", args=[mary.pk])
    responses = post_all(tabs(account), url, DNC, token=None)
    one_done_rest_refused(responses, 302, "Mary Smith is already marked do-not-contact")
    assert Touch.objects.filter(outcome="do-not-contact").count() == 1
    assert Enrollment.objects.get().status == "stopped"


# --- vacations ---------------------------------------------------------------------------------


def vacation(index: int) -> dict[str, str]:
    """Twenty different vacations that all overlap 24-30 December."""
    first = date(2026, 12, 20) + timedelta(days=index % 5)
    return {"first_day": first.isoformat(), "last_day": "2026-12-30"}


def test_a_double_submitted_vacation_is_saved_once(account: Account) -> None:
    clients = tabs(account, htmx=True)
    url = reverse("settings_vacation_add")
    token = token_in(text(clients[0].get(reverse("settings"))), url)
    responses = post_all(clients, url, vacation(0), token=token)
    same_result(responses)
    assert Vacation.objects.count() == 1


def test_overlapping_vacations_from_twenty_tabs_save_one(account: Account) -> None:
    clients = tabs(account)
    url = reverse("settings_vacation_add")

    def send(index: int) -> Response:
        return clients[index].post(url, {**vacation(index), "submission_token": secrets.token_urlsafe(18)})

    responses = at_once(PARALLEL, send)
    assert sorted(r.status_code for r in responses) == [200] * (PARALLEL - 1) + [302]
    refused = [text(r) for r in responses if r.status_code == 200]
    assert all(
        "overlap your vacation" in page or "You already have this vacation" in page for page in refused
    )
    assert Vacation.objects.count() == 1


# --- enroll ------------------------------------------------------------------------------------

ENROLL = {"enroll-playbook": "call-mail-call"}


def test_a_double_submitted_enroll_enrolls_once(account: Account, mary: Contact) -> None:
    clients = tabs(account, htmx=True)
    url = reverse("contacts:enroll", args=[mary.pk])
    token = token_in(text(clients[0].get(reverse("contacts:detail", args=[mary.pk]))), url)
    responses = post_all(clients, url, ENROLL, token=token)
    same_result(responses)
    assert "Mary Smith is now in Call-Mail-Call." in text(responses[0])
    assert Enrollment.objects.count() == 1


def test_enroll_from_twenty_tabs_enrolls_once(account: Account, mary: Contact) -> None:
    url = reverse("contacts:enroll", args=[mary.pk])
    responses = post_all(tabs(account), url, ENROLL, token=None)
    one_done_rest_refused(responses, 302, "Mary Smith is already in Call-Mail-Call")
    assert Enrollment.objects.count() == 1


# --- a one-tap outcome on Today ----------------------------------------------------------------


def card(enrollment: Enrollment) -> dict[str, Any]:
    assert enrollment.due_start is not None
    return {
        "kind": "call",
        "enrollment": str(enrollment.pk),
        "step": "first-call",
        "due": enrollment.due_start.isoformat(),
        "appointment": "",
        "phone": "+13125550123",
        "outcome": "voicemail",
    }


def test_a_double_tapped_voicemail_is_logged_once(account: Account, mary: Contact) -> None:
    enrollment = enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    clients = tabs(account, htmx=True)
    url = reverse("today_log", args=[mary.pk])
    token = token_in(text(clients[0].get(reverse("today"))), url)
    responses = post_all(clients, url, card(enrollment), token=token)
    same_result(responses)
    assert "Mary Smith: voicemail left, logged." in text(responses[0])
    assert Touch.objects.filter(outcome="voicemail", step="first-call").count() == 1
    enrollment.refresh_from_db()
    assert enrollment.step_index == 1


def test_a_voicemail_logged_from_twenty_tabs_is_logged_once(account: Account, mary: Contact) -> None:
    enrollment = enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    url = reverse("today_log", args=[mary.pk])
    responses = post_all(tabs(account, htmx=True), url, card(enrollment), token=None)
    one_done_rest_refused(responses, 200, "Already logged: Mary Smith's call (first-call)")
    assert Touch.objects.filter(outcome="voicemail").count() == 1
    enrollment.refresh_from_db()
    assert enrollment.step_index == 1


# --- bulk actions on the contact list ----------------------------------------------------------


def people(account: Account, count: int = 5) -> list[Contact]:
    return [
        contact_create(
            account=account,
            first_name=f"Person{i}",
            last_name="Smith",
            phones=[PhoneInput(f"312-555-01{i:02d}")],
        )
        for i in range(count)
    ]


def test_a_double_submitted_bulk_enroll_enrolls_each_once_and_answers_alike(account: Account) -> None:
    ids = [str(c.pk) for c in people(account)]
    clients = tabs(account, htmx=True)
    url = reverse("contacts:bulk")
    token = token_in(text(clients[0].get(reverse("contacts:list"))), url)
    data = {"bulk-action": "enroll", "bulk-playbook": "call-mail-call", "bulk-ids": ids}
    responses = post_all(clients, url, data, token=token)
    same_result(responses)
    assert "Person0 Smith" in text(responses[0])
    assert Enrollment.objects.count() == len(ids)


def test_a_new_tag_given_from_twenty_tabs_is_made_once(account: Account) -> None:
    ids = [str(c.pk) for c in people(account)]
    data = {"bulk-action": "tag", "bulk-tag": "party 2026", "bulk-ids": ids}
    responses = post_all(tabs(account, htmx=True), reverse("contacts:bulk"), data, token=None)
    assert all(r.status_code == 200 for r in responses)
    (tag,) = Tag.objects.all()
    assert tag.name == "party 2026" and tag.contacts.count() == len(ids)
