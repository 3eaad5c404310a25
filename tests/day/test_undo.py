"""Log anything from anywhere, undo the last outcome (issue 11: #10, #11).

The property that matters: log then undo leaves the same plan as never logging.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from ringback.activities.models import Touch
from ringback.activities.selectors import agenda_for_day, touches_done_today
from ringback.activities.services import NothingToUndo, touch_log, touch_undo
from ringback.contacts.models import Contact, Phone
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York

pytestmark = pytest.mark.django_db


def mary(account, playbook="four-calls-two-weeks"):
    contact = contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        phones=[PhoneInput("212-555-0123", label="mobile"), PhoneInput("212-555-0199", label="home")],
    )
    with clock.frozen(NOW):
        enrollment_start(account=account, contact=contact, playbook=playbook)
    return contact


def world(account) -> dict[str, Any]:
    """Everything an outcome may change, as plain values."""
    contact = Contact.objects.get(account=account)
    return {
        "contact": {
            f: getattr(contact, f)
            for f in (
                "last_touched_at",
                "last_called_at",
                "callback_requested_at",
                "suppressed_until",
                "do_not_contact",
            )
        },
        "phones": sorted(Phone.objects.filter(contact=contact).values_list("number", "is_bad")),
        "enrollments": list(
            Enrollment.objects.filter(contact=contact)
            .order_by("pk")
            .values(
                "pk",
                "status",
                "step_index",
                "due_start",
                "due_end",
                "state",
                "ended_at",
                "ended_reason",
                "recontact_at",
            )
        ),
        "agenda": [
            (i.kind, i.contact_id, i.step, i.due, i.reason, i.phone)
            for i in agenda_for_day(account=account, now=NOW + timedelta(minutes=5)).items
        ],
    }


@pytest.mark.parametrize(
    "outcome",
    ["voicemail", "no-answer", "wrong-number", "not-interested", "connected", "callback", "do-not-contact"],
)
def test_log_then_undo_is_the_same_as_never_logging(account, outcome):
    contact = mary(account)
    before = world(account)
    at = NOW + timedelta(minutes=2)
    with clock.frozen(at):
        touch = touch_log(account=account, contact=contact, outcome=outcome)
    assert world(account) != before
    with clock.frozen(at + timedelta(minutes=3)):
        undone = touch_undo(account=account, contact=contact)
    assert undone.pk == touch.pk
    assert world(account) == before
    # The touch stays in the log, marked undone, and no longer counts as work done.
    assert Touch.objects.filter(pk=touch.pk).exists()
    assert Touch.objects.get(pk=touch.pk).undo is not None
    with clock.frozen(at + timedelta(minutes=4)):
        assert touches_done_today(account=account).done == 0


def test_undoing_the_last_step_takes_back_the_playbook_it_started(account):
    """Four calls then recontact: the last voicemail ends the playbook and starts the next one."""
    contact = mary(account)
    at = NOW
    for _ in range(3):
        enrollment = Enrollment.objects.get(contact=contact, status="active")
        assert enrollment.due_start is not None
        at = max(at, enrollment.due_start) + timedelta(minutes=1)
        with clock.frozen(at):
            touch_log(account=account, contact=contact, outcome="voicemail")
    enrollment = Enrollment.objects.get(contact=contact, status="active")
    assert enrollment.due_start is not None
    at = max(at, enrollment.due_start) + timedelta(minutes=1)
    with clock.frozen(at):
        before = list(
            Enrollment.objects.filter(contact=contact).values("pk", "status", "step_index", "due_start")
        )
        touch_log(account=account, contact=contact, outcome="voicemail")
    assert Enrollment.objects.filter(contact=contact).count() == 2
    with clock.frozen(at + timedelta(minutes=1)):
        touch_undo(account=account, contact=contact)
    after = list(Enrollment.objects.filter(contact=contact).values("pk", "status", "step_index", "due_start"))
    assert after == before


def test_undo_is_once_and_only_for_ten_minutes(account):
    contact = mary(account)
    with clock.frozen(NOW):
        touch_log(account=account, contact=contact, outcome="voicemail")
    with clock.frozen(NOW + timedelta(minutes=11)), pytest.raises(NothingToUndo, match="last 10 minutes"):
        touch_undo(account=account, contact=contact)
    with clock.frozen(NOW + timedelta(minutes=12)):
        touch_log(account=account, contact=contact, outcome="callback")
        touch_undo(account=account, contact=contact)
        with pytest.raises(NothingToUndo):
            touch_undo(account=account, contact=contact)


def test_the_cli_undoes_and_says_where_the_playbook_is(account, ringback):
    contact = mary(account)
    with clock.frozen(NOW):
        touch_log(account=account, contact=contact, outcome="not-interested")
    result = ringback.json("undo", "Mary", "--user", "sally", now=NOW + timedelta(minutes=1))
    assert result["undone"] is True and result["outcome"] == "not-interested"
    assert result["playbook"] == "four-calls-two-weeks"
    again = ringback("undo", "Mary", "--user", "sally", now=NOW + timedelta(minutes=2))
    assert again.code == 1 and "nothing to undo for Mary Smith" in again.err


def test_today_offers_undo_for_the_last_outcome(account, client):
    contact = mary(account)
    client.force_login(get_user_model().objects.get(username="sally"))
    with clock.frozen(NOW + timedelta(minutes=1)):
        touch_log(account=account, contact=contact, outcome="not-interested")
    with clock.frozen(NOW + timedelta(minutes=2)):
        page = client.get("/").content.decode()
        assert "Logged <strong>not interested</strong> for Mary Smith" in page
        token = page.split('name="submission_token" value="')[1].split('"')[0]
        response = client.post(f"/today/{contact.pk}/undo/", {"submission_token": token})
    assert response.status_code == 302
    assert Enrollment.objects.get(contact=contact).status == "active"
    contact.refresh_from_db()
    assert contact.suppressed_until is None


@pytest.mark.parametrize(
    ("what", "channel", "direction"),
    [
        ("callback", "call", "in"),
        ("callback-email", "email", "in"),
        ("callback-sms", "sms", "in"),
        ("voicemail", "call", "out"),
    ],
)
def test_the_contact_page_logs_any_outcome(account, client, what, channel, direction):
    contact = mary(account)
    client.force_login(get_user_model().objects.get(username="sally"))
    with clock.frozen(NOW + timedelta(minutes=1)):
        response = client.post(
            f"/contacts/{contact.pk}/log/", {"log-what": what, "log-note": "he called me back"}
        )
    assert response.status_code == 302
    touch = Touch.objects.get(contact=contact)
    assert (touch.channel, touch.direction, touch.note) == (channel, direction, "he called me back")
    enrollment = Enrollment.objects.get(contact=contact)
    if direction == "in":
        assert enrollment.status == "engaged"  # the chase stops
        with clock.frozen(NOW + timedelta(minutes=2)):
            assert [i.kind.value for i in agenda_for_day(account=account).items] == ["callback"]
    else:
        assert enrollment.status == "active" and enrollment.step_index == 1


def test_the_contact_page_refuses_what_does_not_fit_by_its_field(account, client):
    contact = mary(account)
    client.force_login(get_user_model().objects.get(username="sally"))
    with clock.frozen(NOW + timedelta(minutes=1)):
        response = client.post(f"/contacts/{contact.pk}/log/", {"log-what": "mailed"})
    assert response.status_code == 400
    assert "does not fit it" in response.content.decode()
    assert not Touch.objects.exists()


def test_a_reply_by_email_from_the_cli(account, ringback):
    mary(account)
    result = ringback.json(
        "log", "Mary", "callback", "--via", "email", "--user", "sally", now=NOW + timedelta(minutes=1)
    )
    assert result["channel"] == "email"
    bad = ringback(
        "log", "Mary", "callback", "--via", "pigeon", "--user", "sally", now=NOW + timedelta(minutes=1)
    )
    assert bad.code == 1 and "'pigeon' is not how they can reach you" in bad.err
