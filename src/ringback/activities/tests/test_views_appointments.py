"""The Appointments page: upcoming and past phone appointments, by day, in the seller's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ringback.accounts.services import account_create
from ringback.activities.models import Appointment
from ringback.activities.services import appointment_book
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock

#: Monday 23 November 2026, 08:00 in Chicago (the seller).
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


def make_account(username="sally"):
    return account_create(username=username, password="a-long-password", time_zone="America/Chicago")


@pytest.fixture
def account():
    return make_account()


@pytest.fixture
def seller(client, account):
    client.force_login(get_user_model().objects.get(username="sally"))
    return client


def person(account, first, last="Smith", phone="212-555-0123"):
    return contact_create(account=account, first_name=first, last_name=last, phones=[PhoneInput(phone)])


def book(account, contact, at, note="", *, booked_on=None):
    with clock.frozen(booked_on or min(NOW, at - timedelta(days=1))):
        # Some test times are at night for the contact: booked as a seller who confirmed them.
        return appointment_book(
            account=account, contact=contact, starts_at=at, note=note, confirm_outside_hours=True
        )


def test_appointments_by_day_with_both_local_times_and_notes(seller, account):
    mary = person(account, "Mary")  # New York
    tom = person(account, "Tom", "Jones", phone="312-555-0100")  # Chicago, like the seller
    book(account, mary, datetime(2026, 11, 24, 15, 30, tzinfo=UTC), "Pick a party date")
    book(account, tom, datetime(2026, 11, 24, 21, 0, tzinfo=UTC), "Catalogue questions")
    book(account, tom, datetime(2026, 11, 23, 20, 0, tzinfo=UTC), "Today's call")
    html = seller.get("/appointments/").content.decode()
    assert "Times in your zone: Chicago time (CST)" in html
    assert "Today, Monday 23 November" in html
    found = re.search(r"<h3>Tuesday 24 November</h3>.*?</section>", html, re.S)
    assert found is not None
    tuesday = found.group(0)
    assert tuesday.index("Mary Smith") < tuesday.index("Tom Jones")
    assert '09:30–09:45</strong> <span class="muted">your time</span>' in tuesday
    assert "10:30 EST their time" in tuesday
    assert "15:00–15:15" in tuesday and "15:00 CST their time" not in tuesday
    assert "Pick a party date" in tuesday and "Catalogue questions" in tuesday
    assert f'href="/contacts/{mary.pk}/"' in tuesday
    assert html.index("Today, Monday 23 November") < html.index("Tuesday 24 November")
    assert 'aria-current="page"' in html


def test_past_days_show_the_last_30_days_newest_first_with_their_status(seller, account):
    mary = person(account, "Mary")
    ann = person(account, "Ann", phone="212-555-0111")
    cy = person(account, "Cy", phone="212-555-0112")
    held = book(account, mary, NOW - timedelta(days=3), "Held", booked_on=NOW - timedelta(days=5))
    Appointment.objects.filter(pk=held.pk).update(status="done")
    book(account, ann, NOW - timedelta(days=1), "Forgotten", booked_on=NOW - timedelta(days=2))
    book(account, cy, NOW - timedelta(days=40), "Too old", booked_on=NOW - timedelta(days=41))
    html = seller.get("/appointments/").content.decode()
    past = html[html.index("The past 30 days") :]
    assert "No phone appointments coming up." in html
    assert past.index("Sunday 22 November") < past.index("Friday 20 November")
    assert "Held" in past and "badge-done" in past
    assert "Forgotten" in past and "not marked done" in past
    assert "Too old" not in html


def test_empty_states(seller, account):
    html = seller.get("/appointments/").content.decode()
    assert "No phone appointments coming up." in html and "Import or add contacts" in html
    person(account, "Mary")
    html = seller.get("/appointments/").content.decode()
    assert "tap <strong>Connected…</strong>" in html
    assert "No appointments in the past 30 days." in html


def test_only_the_accounts_own_appointments_escaped(client, account):
    other = make_account("other")
    theirs = person(other, "<script>alert(1)</script>")
    book(other, theirs, NOW + timedelta(days=1), "<b>secret</b>")
    mine = person(account, "Mary")
    book(account, mine, NOW + timedelta(days=1), "Mine")
    client.force_login(get_user_model().objects.get(username="sally"))
    html = client.get("/appointments/").content.decode()
    assert "Mine" in html and "secret" not in html and "alert" not in html
    client.force_login(get_user_model().objects.get(username="other"))
    html = client.get("/appointments/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "&lt;b&gt;secret&lt;/b&gt;" in html and "Mine" not in html


def test_query_count_does_not_grow_with_appointments(seller, account):
    def queries_for(n: int) -> int:
        for i in range(n):
            contact = person(account, f"P{n}x{i}", phone=f"212-555-{1000 + n * 10 + i:04d}")
            book(account, contact, NOW + timedelta(days=i % 5, hours=1 + i))
            book(account, contact, NOW - timedelta(days=1 + i % 9), booked_on=NOW - timedelta(days=20))
        with CaptureQueriesContext(connection) as ctx:
            response = seller.get("/appointments/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(15)
