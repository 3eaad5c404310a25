"""Two writers of one enrollment at once: the second works from what the first stored, so no
change is lost and the log and the plan agree."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from ringback.accounts.models import Account
from ringback.activities.models import Touch
from ringback.activities.services import touch_log
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.core.engine import enrollment_replan
from ringback.playbooks import services as playbook_services
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start, enrollments_replan_overdue
from ringback.testing.racing import at_once

pytestmark = pytest.mark.django_db(transaction=True)

#: How long the re-plan waits, holding what it read, for the voicemail to be logged meanwhile.
#: With the enrollment locked, the voicemail can't be logged before the re-plan commits.
HOLD = 2.0


def test_a_voicemail_logged_while_today_replans_the_overdue_step_is_kept(
    account: Account, mary: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    with clock.frozen(clock.now() - timedelta(days=7)):  # the first call is a week overdue
        enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    planned = threading.Event()
    logged = threading.Event()
    replan = enrollment_replan  # what the playbooks services call

    def replan_slowly(*args: Any, **kwargs: Any) -> Any:
        planned.set()
        logged.wait(timeout=HOLD)
        return replan(*args, **kwargs)

    monkeypatch.setattr(playbook_services, "enrollment_replan", replan_slowly)

    def act(index: int) -> None:
        if index == 0:  # opening Today re-plans overdue steps
            enrollments_replan_overdue(account=account)
            return
        assert planned.wait(timeout=60)
        touch_log(account=account, contact=Contact.objects.get(pk=mary.pk), outcome="voicemail")
        logged.set()

    at_once(2, act)
    (touch,) = Touch.objects.all()
    enrollment = Enrollment.objects.get()
    assert touch.step == "call-1"
    assert enrollment.step_index == 1, "the re-plan undid the logged call"
    assert len(enrollment.state["calls"]) == 1


def test_two_undos_at_once_undo_once(account: Account, mary: Contact) -> None:
    """Two taps on Undo (two tabs, a double tap): the outcome is taken back once; the second
    finds nothing to undo, and a voicemail logged meanwhile is never lost to an undo."""
    from ringback.activities.models import TouchUndo
    from ringback.activities.services import NothingToUndo, touch_undo

    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    touch_log(account=account, contact=mary, outcome="not-interested")
    results: list[str] = []

    def act(index: int) -> None:
        try:
            touch_undo(account=account, contact=Contact.objects.get(pk=mary.pk))
            results.append("undone")
        except NothingToUndo:
            results.append("nothing")

    at_once(2, act)
    assert sorted(results) == ["nothing", "undone"]
    assert TouchUndo.objects.count() == 1
    enrollment = Enrollment.objects.get()
    assert (enrollment.status, enrollment.step_index) == ("active", 0)
