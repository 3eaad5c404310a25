"""Every zone respected (issue 11, #3): an Orlando address with a Chicago mobile is called inside
the hours of both Eastern and Central time and under Florida's 20:00, and the card says which
rule narrowed the window (Today and ``ringback agenda --json``). A zone the seller set is the
only zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils.html import escape

from ringback.accounts.services import account_create
from ringback.activities.services import touch_log
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_recipient
from ringback.contacts.services import AddressInput, PhoneInput, contact_create, contact_update
from ringback.core import clock
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import context_for
from ringback.playbooks.services import enrollment_start, playbook_add

#: Monday 23 November 2026, 08:00 in Chicago, 09:00 in Orlando and New York (the seller).
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
CHICAGO, EASTERN = ZoneInfo("America/Chicago"), ZoneInfo("America/New_York")
NOTE = "until 19:00: Florida's rule, 20:00 Eastern time (address in Orlando, number from Illinois)"

#: Two evening calls: the evening is where Eastern time and Florida's 20:00 cut a Chicago window.
EVENINGS = """
name: evening-calls
title: Evening calls
steps:
  - id: call-1
    channel: call
    wait: 0 days
    at: [evening]
  - id: call-2
    channel: call
    wait: 1-2 days
    at: [evening]
"""

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account():
    made = account_create(
        username="sally",
        password="a-long-password",
        seller_name="Sally Baker",
        seller_phone="+13125550142",
        time_zone="America/New_York",
    )
    playbook_add(account=made, text=EVENINGS)
    return made


@pytest.fixture
def olivia(account) -> Contact:
    """A Chicago mobile (area code 312), a home in Orlando, Florida."""
    contact = contact_create(
        account=account, first_name="Olivia", last_name="Park", phones=[PhoneInput("312-555-0150")]
    )
    return contact_update(
        account=account,
        contact=contact,
        address=AddressInput(street="1 Lake Eola Dr", city="Orlando", region="FL", postal_code="32801"),
    )


def check_inside_both(start: datetime, end: datetime) -> None:
    """Inside 08:00-20:00 in Orlando (Florida's rule) and 08:00-21:00 in Chicago."""
    for tz, last in ((EASTERN, time(20)), (CHICAGO, time(21))):
        assert start.astimezone(tz).time() >= time(8)
        assert (end - timedelta(microseconds=1)).astimezone(tz).time() < last


def test_the_contact_is_in_both_zones_under_both_states_rules(account, olivia):
    recipient = contact_recipient(contact=olivia, account=account)
    assert (recipient.zone, recipient.country, recipient.subdivision) == ("America/Chicago", "US", "IL")
    assert recipient.also_zones == ("America/New_York",)
    assert recipient.also_places == (("US", "FL"),)
    hours = context_for(account=account, contact=olivia).hours
    assert (hours.start, hours.end, hours.max_calls_per_24h) == (time(8), time(20), 3)


def test_calls_fall_inside_eastern_and_central_hours_and_floridas_20_00(account, olivia):
    enrollment = enrollment_start(account=account, contact=olivia, playbook="evening-calls")
    assert enrollment.due_start is not None and enrollment.due_end is not None
    check_inside_both(enrollment.due_start, enrollment.due_end)
    # Monday evening in Chicago, cut at 20:00 in Orlando: 17:00-19:00 Central.
    assert enrollment.due_start.astimezone(CHICAGO) == datetime(2026, 11, 23, 17, tzinfo=CHICAGO)
    assert enrollment.due_end.astimezone(CHICAGO) == datetime(2026, 11, 23, 19, tzinfo=CHICAGO)
    with clock.frozen(enrollment.due_start + timedelta(minutes=5)):
        touch_log(account=account, contact=olivia, outcome="no-answer")
    again = Enrollment.objects.get(pk=enrollment.pk)
    assert again.due_start is not None and again.due_end is not None
    check_inside_both(again.due_start, again.due_end)


def test_the_today_card_and_the_agenda_command_say_which_rule_narrowed_the_window(
    client, account, olivia, ringback
):
    enrollment_start(account=account, contact=olivia, playbook="evening-calls")
    client.force_login(get_user_model().objects.get(username="sally"))
    page = client.get("/").content.decode()
    start = page.rindex("<article", 0, page.index(">Olivia Park</a></h2>"))
    assert escape(NOTE) in page[start : page.index("</article>", start)]
    (item,) = ringback.agenda("--user", "sally", now=NOW)
    assert item["reason"] == f"First call (Evening calls), {NOTE}"


def test_a_contact_with_one_place_plans_and_reads_as_before(account):
    dana = contact_create(
        account=account, first_name="Dana", last_name="Smith", phones=[PhoneInput("312-555-0151")]
    )
    dana = contact_update(
        account=account, contact=dana, address=AddressInput(city="Chicago", region="Illinois")
    )
    recipient = contact_recipient(contact=dana, account=account)
    assert (recipient.also_zones, recipient.also_places) == ((), ())
    enrollment = enrollment_start(account=account, contact=dana, playbook="evening-calls")
    assert enrollment.due_end is not None
    assert enrollment.due_end.astimezone(CHICAGO).time() == time(21)


def test_a_zone_the_seller_set_is_the_only_zone_but_the_state_rules_still_hold(account, olivia):
    # Saving the form with the zone unchanged does not count as setting it.
    contact_update(account=account, contact=olivia, time_zone="America/Chicago", notes="Met at the fair")
    olivia.refresh_from_db()
    assert not olivia.time_zone_set
    contact_update(account=account, contact=olivia, time_zone="America/Denver")
    olivia.refresh_from_db()
    assert olivia.time_zone_set
    recipient = contact_recipient(contact=olivia, account=account)
    assert (recipient.zone, recipient.also_zones) == ("America/Denver", ())
    assert recipient.also_places == (("US", "FL"),)
    assert context_for(account=account, contact=olivia).hours.end == time(20)
    given = contact_create(
        account=account,
        first_name="Gus",
        phones=[PhoneInput("312-555-0152")],
        time_zone="America/Chicago",
    )
    assert given.time_zone_set
