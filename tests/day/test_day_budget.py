"""The day's plan in the app: the call limit counts today's calls, held work is shown, overdue
age survives a re-plan, the seller's working days are kept (issue 11: #1, #6, #7, #8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ringback.accounts.services import account_create, account_update
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import touch_log
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start, enrollments_replan_overdue

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account():
    account = account_create(
        username="sally",
        password="a-long-password",
        seller_name="Sally Baker",
        seller_phone="+13125550142",
        time_zone="America/New_York",
    )
    return account_update(account=account, daily_call_capacity=5, minutes_per_day=600)


def enrolled(account, n, playbook="four-calls-two-weeks", first=0):
    people = []
    for i in range(first, first + n):
        contact = contact_create(
            account=account,
            first_name=f"Person{i}",
            last_name="Smith",
            phones=[PhoneInput(f"212-555-01{i:02d}")],
        )
        enrollment_start(account=account, contact=contact, playbook=playbook)
        people.append(contact)
    return people


def calls_on(agenda):
    return [i for i in agenda.items if i.kind is ItemKind.CALL]


def test_calls_made_today_count_against_the_daily_limit(account):
    people = enrolled(account, 8)
    first = agenda_for_day(account=account)
    assert len(calls_on(first)) == 5
    assert first.held_calls == 3
    by_id = {p.pk: p for p in people}
    for item in calls_on(first)[:2]:
        touch_log(account=account, contact=by_id[item.contact_id], outcome="voicemail")
    later = agenda_for_day(account=account)
    assert len(calls_on(later)) == 3, [i.contact_name for i in calls_on(later)]
    assert later.held_calls == 3
    assert later.budget.calls_made == 2


def test_held_work_is_in_the_agenda_json(account, ringback):
    enrolled(account, 8)
    data = ringback.json("agenda", "--user", "sally", now=NOW)
    assert len(data["items"]) == 5
    assert data["held"]["count"] == 3
    assert data["held"]["calls"] == 3
    assert [h["expected_on"] for h in data["held"]["items"]] == ["2026-11-24"] * 3
    assert data["budget"] == {
        "working_day": True,
        "minutes": 600,
        "spent_minutes": 0.0,
        "planned_minutes": 20.0,
        "calls": 5,
        "calls_made": 0,
    }
    text = ringback.ok("agenda", "--user", "sally", now=NOW).out
    assert "3 more held for your next working days: 3 on Tue 24 Nov" in " ".join(text.split())


def test_an_overdue_step_stays_overdue_since_the_first_day_after_a_replan(account):
    with clock.frozen(NOW - timedelta(days=40)):
        (person,) = enrolled(account, 1)
    enrollments_replan_overdue(account=account, now=NOW)
    enrollment = Enrollment.objects.get(contact=person)
    assert enrollment.due_start is not None and enrollment.due_end is not None
    assert enrollment.due_start >= NOW
    day = enrollment.due_start.astimezone(clock.now().tzinfo).date()
    with clock.frozen(enrollment.due_end + timedelta(minutes=-1)):
        (item,) = agenda_for_day(account=account).items
    assert item.overdue
    assert item.overdue_days >= 39, item.reason
    assert f"overdue {item.overdue_days} days" in item.reason
    assert day >= NOW.date()


def test_nothing_but_fixed_items_on_a_day_the_seller_does_not_work(account):
    account_update(account=account, working_days="mon,tue,wed,thu")
    enrolled(account, 2)
    friday = datetime(2026, 11, 27, 15, tzinfo=UTC)
    with clock.frozen(friday):
        agenda = agenda_for_day(account=account)
    assert agenda.items == ()
    assert {h.day for h in agenda.held} <= {date(2026, 11, 30)}


def test_today_shows_what_was_held_and_when_it_is_expected(account, client):
    from django.contrib.auth import get_user_model

    enrolled(account, 7)
    client.force_login(get_user_model().objects.get(username="sally"))
    page = client.get("/").content.decode()
    assert page.count("data-card ") == 5
    held = page[page.index('id="today-held"') :]
    assert "2 more held for your next working days: 2 on Tue 24 Nov" in " ".join(held.split())
    assert held.count("expected Tue 24 Nov") == 2


def test_the_settings_say_how_the_day_is_planned(account, ringback):
    data = ringback.json(
        "account",
        "--user",
        "sally",
        "--working-days",
        "mon-thu",
        "--minutes",
        "90",
        "--item-minutes",
        "card=7",
    )
    assert (data["working_days"], data["minutes_per_day"], data["item_minutes"]) == (
        "mon,tue,wed,thu",
        90,
        {"card": 7.0},
    )
    bad = ringback("account", "--user", "sally", "--working-days", "funday")
    assert bad.code == 1 and "'funday' is not a day" in bad.err
    bad = ringback("account", "--user", "sally", "--item-minutes", "lunch=30")
    assert bad.code == 1 and "'lunch' is not one of call, conversation" in bad.err


def test_steps_are_planned_only_on_the_sellers_working_days(account):
    friday_evening = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)  # Friday 21:30 in New York
    with clock.frozen(friday_evening):
        people = enrolled(account, 4)
    for person in people:
        enrollment = Enrollment.objects.get(contact=person)
        assert enrollment.due_start is not None
        local = enrollment.due_start.astimezone(ZoneInfo("America/New_York"))
        assert local.weekday() < 5, f"{person.first_name}: planned on {local:%A}"
    account_update(account=account, working_days="mon-sun")
    with clock.frozen(friday_evening):
        weekend = enrolled(account, 1, first=50)[0]
    due = Enrollment.objects.get(contact=weekend).due_start
    assert due is not None and due.astimezone(ZoneInfo("America/New_York")).weekday() == 5
