"""The demo account: every state, a rich agenda in the right order, idempotent, rebuilt by reset."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ringback.accounts.models import Account
from ringback.accounts.passwords import DEMO_PASSWORD, DEMO_USERNAME
from ringback.activities.models import Appointment, Touch
from ringback.activities.selectors import agenda_for_day
from ringback.contacts.models import Contact, Phone
from ringback.core import clock
from ringback.core.agenda import Agenda, ItemKind
from ringback.core.errors import InvalidInput
from ringback.demo.builder import DemoResult, demo_load, demo_past
from ringback.playbooks.models import Enrollment

CHICAGO = ZoneInfo("America/Chicago")
#: Tuesday 9 June 2026, 10:15 in Chicago: a working day, no holiday.
NOW = datetime(2026, 6, 9, 10, 15, tzinfo=CHICAGO).astimezone(UTC)
#: Wednesday 4 November 2026, 14:40 in Chicago: the history crosses the end of daylight saving.
AUTUMN = datetime(2026, 11, 4, 14, 40, tzinfo=CHICAGO).astimezone(UTC)
#: Sunday 14 June 2026: no calls on Sundays, so the agenda that matters is Monday's.
SUNDAY = datetime(2026, 6, 14, 11, 0, tzinfo=CHICAGO).astimezone(UTC)


def load(at: datetime = NOW, **kwargs: object) -> DemoResult:
    with clock.frozen(at):
        return demo_load(**kwargs)  # type: ignore[arg-type]


def account_of(result: DemoResult) -> Account:
    return Account.objects.get(pk=result.account_id)


def agenda_at(result: DemoResult, at: datetime = NOW) -> Agenda:
    return agenda_for_day(account=account_of(result), day=result.agenda_day, now=at)


def sizes(account: Account) -> dict[str, int]:
    return {
        "contacts": Contact.objects.filter(account=account).count(),
        "phones": Phone.objects.filter(account=account).count(),
        "enrollments": Enrollment.objects.filter(account=account).count(),
        "touches": Touch.objects.filter(account=account).count(),
        "appointments": Appointment.objects.filter(account=account).count(),
    }


def assert_agenda_order(agenda: Agenda) -> None:
    kinds = [item.kind for item in agenda.items]
    urgencies = [item.urgency for item in agenda.items]
    assert urgencies == sorted(urgencies), kinds
    assert kinds[:2] == [ItemKind.APPOINTMENT, ItemKind.APPOINTMENT]
    assert kinds[2] is ItemKind.CALLBACK
    calls = [item for item in agenda.items if item.kind is ItemKind.CALL]
    follow_ups = [c for c in calls if not c.new]
    new = [c for c in calls if c.new]
    assert follow_ups and new
    # New means never called; a follow-up is a later attempt, or the first call of a new series
    # (next quarter's recontact, or a stranger series after its card) to someone called before.
    called_before = set(
        Contact.objects.filter(
            pk__in=[c.contact_id for c in follow_ups], last_called_at__isnull=False
        ).values_list("pk", flat=True)
    )
    assert all(c.attempt is not None and (c.attempt > 1 or c.contact_id in called_before) for c in follow_ups)
    assert all(c.attempt == 1 for c in new)
    assert not Contact.objects.filter(
        pk__in=[c.contact_id for c in new], last_called_at__isnull=False
    ).exists()
    # Follow-ups and new prospects alternate (one new per follow-up) until one kind runs out.
    mixed = 2 * min(len(follow_ups), len(new))
    assert [c.new for c in calls[:mixed]] == [i % 2 == 1 for i in range(mixed)]


@pytest.mark.django_db
def test_demo_agenda_is_rich_and_in_order() -> None:
    result = load(contacts=60)

    assert result.created
    assert result.contacts == 60 + demo_past(60)  # and the past season's people
    assert result.agenda_day == date(2026, 6, 9)
    agenda = agenda_at(result)
    assert_agenda_order(agenda)
    counts = Counter(item.kind for item in agenda.items)
    assert counts[ItemKind.APPOINTMENT] == 2
    assert counts[ItemKind.CALLBACK] >= 1
    assert counts[ItemKind.CALL] >= 4
    assert counts[ItemKind.MAIL] >= 1
    assert 1 <= counts[ItemKind.BIRTHDAY] <= 3
    assert counts[ItemKind.PROMISE] == 2  # one due today, one a day late
    assert any(item.overdue and item.kind is ItemKind.CALL and not item.new for item in agenda.items)
    assert all(item.phone for item in agenda.items if item.kind is ItemKind.CALL)
    assert result.agenda == agenda.counts


@pytest.mark.django_db
def test_demo_has_every_state_and_real_history() -> None:
    result = load(contacts=60)
    account = account_of(result)

    statuses = set(Enrollment.objects.filter(account=account).values_list("status", flat=True))
    assert statuses == {"active", "paused", "engaged", "exhausted", "stopped"}
    assert set(result.enrollments) == statuses
    outcomes = set(Touch.objects.filter(account=account).values_list("outcome", flat=True))
    assert {
        "voicemail",
        "mailed",
        "connected",
        "callback",
        "appointment",
        "not-interested",
        "do-not-contact",
        "wrong-number",
    } <= outcomes
    assert Touch.objects.filter(account=account, at__gt=NOW).count() == 0
    contacts = Contact.objects.filter(account=account)
    assert contacts.filter(do_not_contact=True).exists()
    assert contacts.filter(suppressed_until__gt=NOW).exists()
    # A chase that ran out comes back next quarter: every recontact is already planned (one
    # from the past season may have run its course since, or a late call back engaged it).
    ran_out = Enrollment.objects.filter(
        account=account, status="exhausted", version__playbook__name="four-calls-two-weeks"
    ).exclude(recontact_at=None)
    assert ran_out.exists()
    recontacts = []
    for chase in ran_out:
        assert chase.recontact_at is not None
        recontacts.append(
            Enrollment.objects.filter(contact=chase.contact, started_at=chase.recontact_at).first()
        )
    assert None not in recontacts
    assert any(
        recontact.status == "active" and recontact.started_at > NOW
        for recontact in recontacts
        if recontact is not None
    )
    # No step is left more than a few days overdue (the agenda would re-plan it).
    assert not Enrollment.objects.filter(
        account=account, status="active", due_end__lt=NOW - timedelta(days=3)
    ).exists()
    # Appointments today and on the next day, booked before they start.
    days = sorted(
        {a.starts_at.astimezone(CHICAGO).date() for a in Appointment.objects.filter(account=account)}
    )
    assert days == [date(2026, 6, 9), date(2026, 6, 10)]
    for appointment in Appointment.objects.filter(account=account):
        assert appointment.created_at <= min(appointment.starts_at, NOW)
    # Every built-in playbook has someone in it.
    playbooks = set(
        Enrollment.objects.filter(account=account).values_list("version__playbook__name", flat=True)
    )
    assert playbooks == {
        "call-mail-call",
        "four-calls-two-weeks",
        "steady-weekly",
        "stranger-series",
        "stay-in-touch",
    }


@pytest.mark.django_db
def test_demo_people_are_diverse_and_valid() -> None:
    result = load(contacts=60)
    account = account_of(result)
    contacts = Contact.objects.filter(account=account)

    assert account.seller_name == "Sally Baker"
    assert account.business_name == "Sweet Home Kitchen Parties"
    assert account.time_zone == "America/Chicago"
    assert "Chicago, IL" in account.postal_address
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert user.membership.account == account
    assert not Phone.objects.filter(account=account, is_valid=False).exists()
    states = set(contacts.filter(country="US").values_list("subdivision", flat=True))
    assert {"FL", "OK", "MD", "NY", "CA", "IL", "TX"} <= states
    assert {"DE", "GB", "AU", "CA"} <= set(contacts.values_list("country", flat=True))
    assert any("'" in c.name for c in contacts) or any(not c.name.isascii() for c in contacts)
    assert contacts.exclude(company="").exists()
    assert contacts.filter(birthday_month__isnull=False, birthday_year__isnull=True).exists()
    assert len({c.name for c in contacts}) == 60 + demo_past(60)
    tags = set(contacts.values_list("tags__name", flat=True))
    assert {"new", "host", "customer", "networking"} <= tags
    assert len(set(contacts.values_list("warmth", flat=True))) == 4
    assert Phone.objects.filter(account=account, label="work", ok_at_work=True).exists()


@pytest.mark.django_db
def test_demo_again_changes_nothing() -> None:
    first = load(contacts=60)
    before = sizes(account_of(first))

    again = load(contacts=60)

    assert not again.created
    assert again.account_id == first.account_id
    assert sizes(account_of(again)) == before
    assert (again.contacts, again.touches, again.appointments) == (
        first.contacts,
        first.touches,
        first.appointments,
    )
    assert again.enrollments == first.enrollments
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_demo_reset_rebuilds() -> None:
    first = load(contacts=40)

    rebuilt = load(contacts=60, reset=True)

    assert rebuilt.created
    assert rebuilt.account_id != first.account_id
    assert not Account.objects.filter(pk=first.account_id).exists()
    assert Account.objects.count() == 1
    assert get_user_model().objects.filter(username=DEMO_USERNAME).count() == 1
    assert sizes(account_of(rebuilt))["contacts"] == 60 + demo_past(60)
    assert not Touch.objects.exclude(account_id=rebuilt.account_id).exists()


@pytest.mark.django_db
def test_demo_is_reproducible_for_the_same_now() -> None:
    # The past season's history depends on database ids (PostgreSQL does not reuse them after a
    # reset): its reproducibility is tested in a flushed database (test_demo_season.py).
    first = load(contacts=40, past=0)
    names = sorted(Contact.objects.filter(account_id=first.account_id).values_list("first_name", "last_name"))

    again = load(contacts=40, past=0, reset=True)

    again_names = Contact.objects.filter(account_id=again.account_id).values_list("first_name", "last_name")
    assert sorted(again_names) == names
    assert again.stories == first.stories


@pytest.mark.django_db
def test_demo_on_a_sunday_prepares_monday() -> None:
    result = load(SUNDAY, contacts=40)

    assert result.agenda_day == date(2026, 6, 15)
    agenda = agenda_at(result, SUNDAY)
    assert Counter(item.kind for item in agenda.items)[ItemKind.CALL] >= 5
    assert_agenda_order(agenda)


@pytest.mark.django_db
def test_demo_default_size() -> None:
    result = load(AUTUMN)

    assert result.contacts == 200 + demo_past(200)
    agenda = agenda_at(result, AUTUMN)
    assert_agenda_order(agenda)
    counts = Counter(item.kind for item in agenda.items)
    # Four hours a day: the fixed and timely items, then calls until the time is spent.
    assert 5 <= counts[ItemKind.CALL] <= agenda.budget.calls_left  # 25 a day, less those made
    assert agenda.minutes_planned <= agenda.budget.minutes + sum(
        i.minutes for i in agenda.items if i.kind in (ItemKind.APPOINTMENT, ItemKind.CALLBACK)
    )
    assert result.held_calls > 0
    assert result.follow_up_calls >= 3 and result.new_calls >= 3
    assert counts[ItemKind.CALLBACK] == 3
    assert counts[ItemKind.MAIL] >= 3
    assert 1 <= counts[ItemKind.BIRTHDAY] <= 3
    assert counts[ItemKind.PROMISE] == 2  # one due today, one a day late
    assert set(result.enrollments) == {"active", "paused", "engaged", "exhausted", "stopped"}
    assert result.enrollments["exhausted"] >= 8
    assert result.stories["lead-new"] > 0


@pytest.mark.django_db
def test_demo_needs_enough_contacts() -> None:
    with pytest.raises(InvalidInput):
        load(contacts=10)
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_demo_command_prints_what_it_made() -> None:
    out = StringIO()
    with clock.frozen(NOW):
        call_command("demo", "--contacts", "40", stdout=out)
    text = out.getvalue()
    assert "Created the demo account of Sally Baker" in text
    assert "Open http://127.0.0.1:8000/ and sign in as demo / ringback-demo" in text

    out = StringIO()
    with clock.frozen(NOW):
        call_command("demo", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["created"] is False
    assert data["contacts"] == 40 + demo_past(40)
    assert data["username"] == "demo" and data["password"] == "ringback-demo"
    assert data["agenda_day"] == "2026-06-09"
