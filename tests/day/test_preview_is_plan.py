"""The plan a contact's preview shows is the plan that starting the playbook makes (issue 11, #13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringback.accounts.services import account_create
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.engine import enrollment_simulate
from ringback.core.playbook import BUILTIN_NAMES
from ringback.playbooks.selectors import contact_enrollment_preview, context_for, version_spec
from ringback.playbooks.services import enrollment_end, enrollment_start

NOW = datetime(2026, 11, 23, 14, 7, tzinfo=UTC)  # Monday 09:07 in New York

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("Ana", "212-555-0101", (3, 20, None)),
    ("Ben", "312-555-0102", None),
    ("Cy", "808-555-0103", (12, 1, 1980)),
    ("Di", "305-555-0104", None),
    ("Ed", "602-555-0105", (11, 30, None)),
    ("Flo", "415-555-0106", None),
    ("Gus", "907-555-0107", None),
]


@pytest.fixture
def account():
    return account_create(username="sally", password="a-long-password", time_zone="America/Chicago")


@pytest.mark.parametrize("playbook", BUILTIN_NAMES)
def test_the_preview_is_the_plan_for_every_builtin_playbook(account, playbook):
    for first, number, birthday in PEOPLE:
        contact = contact_create(
            account=account,
            first_name=first,
            last_name="Test",
            phones=[PhoneInput(number)],
            birthday=birthday,
        )
        for round_ in range(2):  # a first enrollment, then a second after the first ended
            shown_at = NOW + timedelta(days=30 * round_)
            with clock.frozen(shown_at):
                preview = contact_enrollment_preview(account=account, contact=contact, playbook=playbook)
            started_at = shown_at + timedelta(minutes=3)  # the seller reads it, then taps Start
            with clock.frozen(started_at):
                enrollment = enrollment_start(account=account, contact=contact, playbook=playbook, force=True)
                spec = version_spec(version=enrollment.version)
                touches, _ = enrollment_simulate(
                    spec,
                    seed=enrollment.seed,
                    start=started_at,
                    context=context_for(account=account, contact=contact),
                )
            there = preview.touches[0].start.tzinfo if preview.touches else UTC
            planned = [(t.step.id, t.window.start.astimezone(there).date(), t.window.part) for t in touches]
            shown = [(t.step, t.start.date(), t.part or None) for t in preview.touches]
            assert [(s, d) for s, d, _ in shown] == [(s, d) for s, d, _ in planned], (playbook, first, round_)
            assert [p for *_, p in shown] == [p.value if p else None for *_, p in planned]
            if enrollment.due_start is not None:
                first_shown = preview.touches[0]
                assert (
                    first_shown.start.date()
                    == enrollment.due_start.astimezone(first_shown.start.tzinfo).date()
                )
            with clock.frozen(started_at):
                enrollment_end(enrollment=enrollment, reason="test")
