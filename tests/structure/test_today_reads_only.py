"""Showing Today writes nothing; long-overdue work is re-planned on sign-in (once a day), by
``ringback agenda``, or when the seller asks on Today (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start

pytestmark = pytest.mark.django_db
#: Monday 23 November 2026, 09:00 in New York; the people were enrolled a week before.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PASSWORD = "a-long-password-9"


@pytest.fixture
def account() -> Account:
    with clock.frozen(NOW - timedelta(days=7)):
        account = account_create(username="sally", password=PASSWORD, time_zone="America/New_York")
        for n in range(3):
            person = contact_create(
                account=account, first_name=f"P{n}", phones=[PhoneInput(f"212-555-01{n:02d}")]
            )
            enrollment_start(account=account, contact=person, playbook="four-calls-two-weeks")
    return account


def due_starts(account: Account) -> list[datetime]:
    return sorted(e.due_start for e in Enrollment.objects.filter(account=account) if e.due_start)


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
    ]


def make_long_overdue(account: Account) -> None:
    Enrollment.objects.filter(account=account).update(
        due_start=NOW - timedelta(days=9), due_end=NOW - timedelta(days=8)
    )


def test_get_today_writes_nothing_and_offers_to_spread_long_overdue_steps(account):
    client = Client()
    with clock.frozen(NOW):
        client.force_login(account.memberships.get().user)  # signing in re-plans (once a day)
    make_long_overdue(account)
    before = due_starts(account)
    with clock.frozen(NOW), CaptureQueriesContext(connection) as queries:
        page = client.get("/")
        partial = client.get("/", HTTP_HX_REQUEST="true")
    assert page.status_code == partial.status_code == 200
    assert writes(queries) == []
    assert due_starts(account) == before
    assert "3 steps are more than a few days overdue" in page.content.decode()
    with clock.frozen(NOW):
        asked = client.post("/today/replan/", follow=True)
    assert "3 overdue steps spread over the coming days." in asked.content.decode()
    assert min(due_starts(account)) >= NOW
    assert "more than a few days overdue" not in asked.content.decode()


def test_signing_in_spreads_them_once_a_day(account):
    client = Client()
    with clock.frozen(NOW):
        assert client.post("/login/", {"username": "sally", "password": PASSWORD}).status_code == 302
    assert min(due_starts(account)) >= NOW
    account.refresh_from_db()
    assert account.overdue_replanned_on == NOW.date()
    # The same day again: nothing is re-planned (the steps made overdue meanwhile wait).
    Enrollment.objects.filter(account=account).update(
        due_start=NOW - timedelta(days=9), due_end=NOW - timedelta(days=8)
    )
    with clock.frozen(NOW + timedelta(hours=2)):
        client.post("/logout/")
        client.post("/login/", {"username": "sally", "password": PASSWORD})
    assert max(due_starts(account)) < NOW


def test_ringback_agenda_spreads_them_once_a_day(account, ringback):
    result = ringback("agenda", "--json", "--user", "sally", now=NOW)
    assert result.ok, result
    assert min(due_starts(account)) >= NOW
