"""The rules that say "never twice" live in the services, so the command line refuses what the web
refuses: a second contact with a number someone has, a second appointment at the same time
(issue 10; both databases in CI)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from ringback.accounts.services import account_create
from ringback.activities.models import Appointment
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock

#: Monday 23 November 2026, 09:00 in New York.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def seller(db: None) -> Client:
    with clock.frozen(NOW):
        account = account_create(username="sally", password="a-long-password", time_zone="America/New_York")
        contact_create(
            account=account, first_name="Mary", last_name="Smith", phones=[PhoneInput("212-555-0123")]
        )
    client = Client()
    with clock.frozen(NOW):
        client.force_login(account.memberships.get().user)
    return client


def test_a_second_contact_with_the_same_number_is_refused_on_both(seller: Client, ringback: Any) -> None:
    with clock.frozen(NOW):
        web = seller.post(
            "/contacts/add/", {"first_name": "Marie", "phone": "(212) 555-0123", "phone_label": "mobile"}
        )
    assert web.status_code == 400 and "Mary Smith already has this number." in web.content.decode()
    cli = ringback("contacts", "add", "Marie", "--phone", "212 555 0123", "--user", "sally", now=NOW)
    assert cli.error_lines == ["error: Mary Smith already has the number +12125550123"]
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Mary"]


def test_a_second_appointment_at_the_same_time_is_refused_on_both(seller: Client, ringback: Any) -> None:
    mary = Contact.objects.get()
    form = {"appt-starts_at": "2026-11-25T10:00", "appt-duration": "15", "appt-note": ""}
    with clock.frozen(NOW):
        first = seller.post(f"/contacts/{mary.pk}/appointment/", form)
        second = seller.post(f"/contacts/{mary.pk}/appointment/", form)
    assert first.status_code == 302
    assert second.status_code == 400
    assert "This appointment is already booked; nothing was changed." in second.content.decode()
    cli = ringback("appointment", "Mary", "--at", "2026-11-25T10:00", "--user", "sally", now=NOW)
    assert cli.code == 1
    assert cli.error_lines == [
        "error: Mary Smith already has an appointment at Wed 25 Nov 10:00 EST; nothing was changed"
    ]
    assert Appointment.objects.count() == 1
