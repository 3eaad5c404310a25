"""Twenty identical ``ringback`` commands at the same moment change things once: the others exit 1
saying why, and what is stored agrees with itself (one touch per step attempt of the plan)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ringback.accounts.models import Account, Vacation
from ringback.activities.models import Appointment, Touch
from ringback.contacts.models import Contact
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import version_spec
from ringback.playbooks.services import enrollment_start
from ringback.testing.racing import PARALLEL, Run, at_once, ringback

pytestmark = pytest.mark.django_db(transaction=True)


def twenty(*args: str) -> list[Run]:
    return at_once(PARALLEL, lambda _: ringback(*args, "--user", "sally"))


def one_done_rest_refused(runs: list[Run], refusal: str) -> None:
    done = [r for r in runs if r.code == 0]
    refused = [r for r in runs if r.code == 1 and r.err.startswith("error: ") and refusal in r.err]
    assert (len(done), len(refused)) == (1, PARALLEL - 1), [r.err for r in runs if r not in done]


def test_twenty_bookings_at_once_book_one_appointment(account: Account, mary: Contact) -> None:
    runs = twenty("appointment", "Mary Smith", "--at", "2026-11-24T10:30-06:00")
    one_done_rest_refused(runs, "Mary Smith already has an appointment at Tue 24 Nov 10:30 CST")
    assert Appointment.objects.count() == 1
    assert Touch.objects.filter(outcome="appointment").count() == 1


def test_twenty_adds_of_one_number_make_one_contact(account: Account) -> None:
    runs = twenty("contacts", "add", "Tom Jones", "--phone", "(212) 555-0199")
    one_done_rest_refused(runs, "Tom Jones already has the number +12125550199")
    assert Contact.objects.count() == 1


def test_twenty_do_not_contacts_at_once_log_one_touch(account: Account, mary: Contact) -> None:
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    runs = twenty("log", "Mary Smith", "do-not-contact")
    one_done_rest_refused(runs, "Mary Smith is already marked do-not-contact")
    assert Touch.objects.filter(outcome="do-not-contact").count() == 1
    assert Enrollment.objects.get().status == "stopped"


def test_twenty_overlapping_pauses_at_once_save_one_vacation(account: Account) -> None:
    def pause(index: int) -> Run:
        first = date(2026, 12, 20) + timedelta(days=index % 5)
        return ringback("pause", "--from", first.isoformat(), "--to", "2026-12-30", "--user", "sally")

    runs = at_once(PARALLEL, pause)
    done = [r for r in runs if r.code == 0]
    refused = [
        r
        for r in runs
        if r.code == 1 and ("overlap your vacation" in r.err or "you already have this vacation" in r.err)
    ]
    assert (len(done), len(refused)) == (1, PARALLEL - 1), [r.err for r in runs]
    assert Vacation.objects.count() == 1


def test_twenty_enrolls_at_once_enroll_once(account: Account, mary: Contact) -> None:
    runs = twenty("enroll", "call-mail-call", "--contact", "Mary Smith")
    one_done_rest_refused(runs, "Mary Smith is already in call-mail-call")
    assert Enrollment.objects.count() == 1


def test_twenty_voicemails_at_once_log_the_one_step_they_fit(account: Account, mary: Contact) -> None:
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    runs = twenty("log", "Mary Smith", "voicemail")
    one_done_rest_refused(runs, "'voicemail' does not fit it")
    (touch,) = Touch.objects.all()
    enrollment = Enrollment.objects.get()
    assert (touch.outcome, touch.step, touch.attempt, touch.enrollment_id) == (
        "voicemail",
        "first-call",
        1,
        enrollment.pk,
    )
    assert enrollment.step_index == 1  # the note to mail
    assert len(enrollment.state["calls"]) == 1


def test_twenty_voicemails_at_once_on_a_call_series_agree_with_the_plan(
    account: Account, mary: Contact
) -> None:
    """Where a voicemail fits every step, each is recorded against the step it completed: the
    first enrollment takes four, ends, and the next quarter's takes the rest; no step twice."""
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    runs = twenty("log", "Mary Smith", "voicemail")
    assert all(r.code in (0, 1) for r in runs)
    logged = sum(1 for r in runs if r.code == 0)
    assert Touch.objects.count() == logged
    for enrollment in Enrollment.objects.all():
        steps = version_spec(version=enrollment.version).steps
        touches = list(Touch.objects.filter(enrollment=enrollment).order_by("id"))
        done = len(steps) if enrollment.status == "exhausted" else enrollment.step_index
        assert [t.step for t in touches] == [s.id for s in steps[:done]]
        assert len(enrollment.state["calls"]) == len(touches)
