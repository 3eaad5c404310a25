"""The demo's output, pinned: the same ``now`` and size give the very same people and history.

The digests below were taken from the demo as it was built before its builder was split into
steps (issue 10), so that a refactoring that changes what the demo makes fails here. A change
to the demo that is meant (new names, another story) updates them: run the test and copy the
digests its failure shows. Updated for issue 11: enrollment seeds no longer depend on the start
instant, the seller works Monday to Friday and has four hours a day, every call made
counts as the last call, and four-calls-two-weeks waits 2-4 days between calls (all four fit a
Monday-Friday week) while a sixth built-in, customer-care, takes its ids.

The past season (its people are added after everyone else, and drawn after everything else) is
left out of the digests (the full-size demo is built without it): they pin the stories told now,
which the season must not change.

The history depends on the ids the database hands out (each enrollment's random seed is made
from its contact's and its playbook version's ids), so this test starts with the id sequences
reset: a committed test, slower than the others, but the same ids on every run and database.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ringback.accounts.models import Account
from ringback.activities.models import Appointment, Touch
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.demo.builder import demo_load
from ringback.playbooks.models import Enrollment

#: Tuesday 9 June 2026, 10:15 in Chicago (as in test_demo.py).
NOW = datetime(2026, 6, 9, 10, 15, tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)

PEOPLE = "51eb04267d5ab57c08d2207541925a224dcc8a9dcedbd64f7251f6c417ac802c"
HISTORY = "08e6424a2354c2879e37b3c259412775035f01ce1cc94b828cc141c3fb15b989"


def _when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def people(account: Account) -> list[list[object]]:
    """Who is in the demo, in the order they were added: what the seeded generator chose."""
    found: list[list[object]] = []
    for contact in Contact.objects.filter(account=account).order_by("pk"):
        found.append(
            [
                contact.first_name,
                contact.last_name,
                contact.company,
                contact.title,
                contact.warmth,
                contact.status,
                contact.notes,
                [contact.birthday_month, contact.birthday_day, contact.birthday_year],
                contact.time_zone,
                contact.country,
                contact.subdivision,
                _when(contact.created_at),
                sorted(contact.tags.values_list("name", flat=True)),
                [list(p) for p in contact.phones.order_by("pk").values_list("number", "label", "ok_at_work")],
                [list(e) for e in contact.emails.order_by("pk").values_list("address", "label")],
            ]
        )
    return found


def history(account: Account) -> list[list[object]]:
    """What happened with each contact: touches, enrollments, appointments, suppression."""
    found: list[list[object]] = []
    for contact in Contact.objects.filter(account=account).order_by("pk"):
        touches = [
            [t.outcome, t.channel, t.direction, t.step, t.attempt, t.template, t.note, _when(t.at)]
            for t in Touch.objects.filter(contact=contact).order_by("at", "pk")
        ]
        enrollments = [
            [
                e.version.playbook.name,
                e.status,
                e.step_index,
                _when(e.started_at),
                _when(e.due_start),
                _when(e.due_end),
                _when(e.ended_at),
                e.ended_reason,
                _when(e.recontact_at),
            ]
            for e in Enrollment.objects.filter(contact=contact)
            .select_related("version__playbook")
            .order_by("pk")
        ]
        appointments = [
            [_when(a.starts_at), a.duration_minutes, a.note, a.status]
            for a in Appointment.objects.filter(contact=contact).order_by("pk")
        ]
        found.append(
            [
                len(touches),
                touches,
                enrollments,
                appointments,
                contact.do_not_contact,
                _when(contact.suppressed_until),
                _when(contact.callback_requested_at),
            ]
        )
    return found


def digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_demo_is_the_same_as_before_the_refactoring() -> None:
    with clock.frozen(NOW):
        result = demo_load(contacts=40)
    account = Account.objects.get(pk=result.account_id)

    # The first 40 people are the demo's stories; the past season's come after them.
    found_people, found_history = people(account)[:40], history(account)[:40]
    # A few figures in plain sight, then everything through the digests.
    assert [person[:2] for person in found_people[:3]] == [
        ["Lachlan", "Nguyen"],
        ["Andrea", "Papadopoulos"],
        ["Austin", "White"],
    ]
    assert [person[13] for person in found_people[:3]] == [
        [["+61491570333", "mobile", False], ["+61255500612", "work", False]],
        [["+13125550111", "mobile", False], ["+18475550150", "home", False]],
        [["+18475550123", "home", False], ["+16305550143", "work", True]],
    ]
    touches = [0, 0, 0, 1, 1, 1, 1, 1, 2, 1, 2, 3, 2, 1, 3, 3, 2, 3, 2, 4, 3, 2, 2, 1, 4, 5] + [0] * 14
    assert [contact[0] for contact in found_history] == touches
    assert sum(touches) == 50
    assert {kind: n for kind, n in result.stories.items() if kind != "past-season"} == {
        "appointment": 3,
        "callback": 1,
        "do-not-contact": 1,
        "due": 3,
        "engaged": 3,
        "exhausted": 2,
        "keep-in-touch": 5,
        "lead-customer": 3,
        "lead-networking": 2,
        "lead-new": 4,
        "new": 3,
        "no-number": 1,
        "not-interested": 1,
        "overdue": 1,
        "paused": 1,
        "upcoming": 5,
        "wrong-number": 1,
    }
    assert digest(found_people) == PEOPLE
    assert digest(found_history) == HISTORY


#: Wednesday 4 November 2026, 14:40 in Chicago: the history crosses the end of daylight saving.
AUTUMN = datetime(2026, 11, 4, 14, 40, tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)

FULL_PEOPLE = "3fec822d093d359cd23549c3cece2c077c8661d775e36a09ba99ba7bc243698d"
FULL_HISTORY = "35d0a6ac8d176ef86fbd79e9421d3c5e67bdbdd53fdf482b677cd38c16571d48"


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_full_size_demo_is_the_same_as_before_the_refactoring() -> None:
    with clock.frozen(AUTUMN):
        result = demo_load(past=0)  # the season's independence is pinned by the test above
    account = Account.objects.get(pk=result.account_id)

    assert (result.contacts, result.touches, result.appointments) == (200, 221, 4)
    assert digest(people(account)) == FULL_PEOPLE
    assert digest(history(account)) == FULL_HISTORY
