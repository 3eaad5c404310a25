"""Cancelling or moving an appointment from twenty tabs at once changes it once: one answer says
it was done, the rest say why not, and the contact's timeline gets one note (issue 11, #15)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from html import unescape

import pytest
from django.urls import reverse

from ringback.accounts.models import Account
from ringback.activities.models import Appointment, Touch
from ringback.activities.services import appointment_book
from ringback.contacts.models import Contact
from ringback.testing.racing import PARALLEL, at_once, tabs, token_in

pytestmark = pytest.mark.django_db(transaction=True)

#: Tuesday 24 November 2026, 10:30 in Chicago (Mary).
BOOKED = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)


@pytest.fixture
def booked(account: Account, mary: Contact) -> Appointment:
    return appointment_book(account=account, contact=mary, starts_at=BOOKED)


def _race(account: Account, url: str, data: dict[str, str]) -> list[str]:
    clients = tabs(account, htmx=True)

    def send(index: int) -> str:
        response = clients[index].post(url, {**data, "submission_token": secrets.token_urlsafe(18)})
        assert response.status_code == 200, response.status_code
        return unescape(response.content.decode())

    return at_once(PARALLEL, send)


def test_a_cancel_from_twenty_tabs_cancels_once(account: Account, mary: Contact, booked: Appointment) -> None:
    bodies = _race(account, reverse("appointment_cancel", args=[booked.pk]), {})
    done = [b for b in bodies if "Cancelled the call with Mary Smith" in b]
    refused = [b for b in bodies if "only a scheduled one can be cancelled; nothing was changed" in b]
    assert (len(done), len(refused)) == (1, PARALLEL - 1)
    assert Appointment.objects.get().status == "cancelled"
    assert Touch.objects.filter(contact=mary, outcome="note").count() == 1


def test_a_move_from_twenty_tabs_moves_once(account: Account, mary: Contact, booked: Appointment) -> None:
    bodies = _race(account, reverse("appointment_move", args=[booked.pk]), {"starts_at": "2026-11-25T11:00"})
    done = [b for b in bodies if "Moved the call with Mary Smith" in b]
    refused = [
        b for b in bodies if "appointment is already at Wed 25 Nov 11:00 CST; nothing was changed" in b
    ]
    assert (len(done), len(refused)) == (1, PARALLEL - 1)
    assert Appointment.objects.get().starts_at == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert Touch.objects.filter(contact=mary, outcome="note").count() == 1


def test_a_double_submitted_cancel_answers_alike(
    account: Account, mary: Contact, booked: Appointment
) -> None:
    clients = tabs(account)
    url = reverse("appointment_cancel", args=[booked.pk])
    token = token_in(clients[0].get(reverse("appointments")).content.decode(), url)
    responses = at_once(PARALLEL, lambda i: clients[i].post(url, {"note": "", "submission_token": token}))
    assert {r.status_code for r in responses} == {302}
    assert Appointment.objects.get().status == "cancelled"
    assert Touch.objects.filter(contact=mary, outcome="note").count() == 1
