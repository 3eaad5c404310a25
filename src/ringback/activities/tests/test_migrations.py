"""Migration 0002: appointments booked twice before the constraint are kept once, not lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

#: The whole schema as it stood before the constraint: later migrations of other apps (a new
#: account setting) are unapplied too, so the historical models match the tables.
BEFORE = [("activities", "0001_initial"), ("accounts", "0003_account_overdue_replanned_on")]
AFTER = [("activities", "0002_appointment_once_per_contact_time")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.fixture
def back_to_the_latest() -> Iterator[None]:
    """Whatever happens, the database ends at the latest migrations for the tests after this."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_double_bookings_made_before_the_constraint_are_cancelled_keeping_the_first() -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    User = apps.get_model("auth", "User")
    Account = apps.get_model("accounts", "Account")
    Contact = apps.get_model("contacts", "Contact")
    Appointment = apps.get_model("activities", "Appointment")
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    User.objects.create(username="sally")
    account = Account.objects.create(name="Sally", created_at=now)
    mary, tom = (
        Contact.objects.create(account=account, first_name=name, created_at=now, updated_at=now)
        for name in ("Mary", "Tom")
    )
    at = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)

    def book(contact, note, status="scheduled", starts_at=at):
        return Appointment.objects.create(
            account=account, contact=contact, starts_at=starts_at, note=note, status=status, created_at=now
        )

    first = book(mary, "party")
    doubles = [book(mary, "party"), book(mary, "bring the catalogue"), book(mary, "")]
    done = book(mary, "party", status="done")  # not scheduled: not a double
    other_time = book(mary, "", starts_at=datetime(2026, 11, 25, 16, 30, tzinfo=UTC))
    toms = book(tom, "")  # another contact at the same time

    apps = migrate(AFTER).loader.project_state(AFTER).apps
    Appointment = apps.get_model("activities", "Appointment")
    status = dict(Appointment.objects.values_list("pk", "status"))
    assert status[first.pk] == "scheduled"
    assert [status[d.pk] for d in doubles] == ["cancelled"] * 3
    assert status[done.pk] == "done"
    assert status[other_time.pk] == status[toms.pk] == "scheduled"
    assert Appointment.objects.get(pk=first.pk).note == "party\nbring the catalogue"
