"""No dead ends: a step that can't be carried out is one clear item with a way on (issue 11: #4, #5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ringback.activities.models import Touch
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import touch_log, touch_undo
from ringback.contacts.models import Phone
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


def work_number_only_after_a_wrong_mobile(account):
    """A mobile that turns out wrong, and a work number not marked OK to call at work."""
    tom = contact_create(
        account=account,
        first_name="Tom",
        last_name="Jones",
        phones=[PhoneInput("212-555-0123", label="mobile"), PhoneInput("212-555-0199", label="work")],
    )
    enrollment_start(account=account, contact=tom, playbook="four-calls-two-weeks")
    touch_log(account=account, contact=tom, outcome="wrong-number")
    return tom


def test_a_call_with_no_usable_number_is_one_clear_item_not_a_call(account):
    tom = work_number_only_after_a_wrong_mobile(account)
    (item,) = agenda_for_day(account=account, now=NOW + timedelta(hours=1)).items
    assert item.contact_id == tom.pk and item.kind is ItemKind.CALL
    assert item.blocked.startswith("a number to call")
    assert not item.is_call  # it uses none of the day's calls
    assert "needs a number to call" in item.reason


def test_skip_and_stop_from_the_card(account, seller):
    tom = work_number_only_after_a_wrong_mobile(account)
    page = seller.get("/").content.decode()
    assert "This step needs a number to call" in page
    assert ">Skip this step</button>" in page and ">Stop the playbook</button>" in page
    enrollment = Enrollment.objects.get(contact=tom)
    assert enrollment.due_start is not None
    fields = {
        "kind": "call",
        "enrollment": str(enrollment.pk),
        "step": "call-1",
        "due": enrollment.due_start.isoformat(),
        "appointment": "",
        "phone": "",
        "outcome": "skip-step",
        "submission_token": "token-skip-000001",
    }
    response = seller.post(f"/today/{tom.pk}/log/", fields)
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.step_index == 1
    # ...and it can be taken back.
    touch_undo(account=account, contact=tom)
    enrollment.refresh_from_db()
    assert enrollment.step_index == 0
    response = seller.post(
        f"/today/{tom.pk}/log/",
        {**fields, "outcome": "stop-playbook", "submission_token": "token-stop-000001"},
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "stopped" and "no way to reach them" in enrollment.ended_reason
    assert agenda_for_day(account=account).items == ()


def test_a_card_for_someone_with_no_postal_address_asks_for_one(account):
    ann = contact_create(
        account=account, first_name="Ann", last_name="Lee", phones=[PhoneInput("212-555-0150")]
    )
    enrollment_start(account=account, contact=ann, playbook="call-mail-call")
    enrollment = Enrollment.objects.get(contact=ann)
    assert enrollment.due_start is not None
    at = max(NOW, enrollment.due_start) + timedelta(minutes=1)
    with clock.frozen(at):
        touch_log(account=account, contact=ann, outcome="voicemail")
    enrollment.refresh_from_db()
    assert enrollment.due_start is not None
    with clock.frozen(max(at, enrollment.due_start) + timedelta(minutes=1)):
        (item,) = agenda_for_day(account=account).items
    assert item.kind is ItemKind.MAIL and item.blocked == "a postal address"
    assert "needs a postal address" in item.reason


def no_address_at_the_note(account, **extra):
    """Ann, with a mobile (she agreed to texts) and an email address but no postal address, at
    call-mail-call's note."""
    ann = contact_create(
        account=account,
        first_name="Ann",
        last_name="Lee",
        phones=[PhoneInput("212-555-0150", text_consent="in-person")],
        **extra,
    )
    enrollment_start(account=account, contact=ann, playbook="call-mail-call", force=True)
    enrollment = Enrollment.objects.get(contact=ann)
    assert enrollment.due_start is not None
    at = max(NOW, enrollment.due_start) + timedelta(minutes=1)
    with clock.frozen(at):
        touch_log(account=account, contact=ann, outcome="voicemail")
    enrollment.refresh_from_db()
    assert enrollment.due_start is not None
    return ann, enrollment, max(at, enrollment.due_start) + timedelta(minutes=1)


def test_a_card_with_no_address_can_go_out_by_email_or_text_instead(account, seller):
    ann, enrollment, at = no_address_at_the_note(account, emails=["ann@example.com"])
    with clock.frozen(at):
        (item,) = agenda_for_day(account=account).items
        assert item.blocked == "a postal address"
        assert item.instead == ("email", "sms")
        assert item.email == "ann@example.com" and item.mobile == "+12125550150"
        page = seller.get("/").content.decode()
    assert ">Emailed it instead</button>" in page and ">Texted it instead</button>" in page
    assert 'href="mailto:ann@example.com?subject=A%20note%20for%20you%2C%20Ann&amp;body=Dear%20Ann' in page
    assert 'href="sms:+12125550150?body=Dear%20Ann' in page
    fields = {
        "kind": "mail",
        "enrollment": str(enrollment.pk),
        "step": "the-note",
        "due": enrollment.due_start.isoformat(),
        "appointment": "",
        "phone": "",
        "outcome": "emailed",
        "submission_token": "token-instead-0001",
    }
    with clock.frozen(at):
        response = seller.post(f"/today/{ann.pk}/log/", fields)
    assert response.status_code == 302
    touch = Touch.objects.filter(contact=ann).latest("id")
    assert (touch.channel, touch.outcome, touch.step, touch.template) == (
        "email",
        "emailed",
        "the-note",
        "note-with-offer",
    )
    enrollment.refresh_from_db()
    assert enrollment.step_index == 2  # on to the second call, as if the note had been mailed


def test_with_no_other_way_the_card_offers_only_skip_and_stop(account, seller):
    ann, _, at = no_address_at_the_note(account)
    Phone.objects.filter(contact=ann).update(label="work")
    with clock.frozen(at):
        (item,) = agenda_for_day(account=account).items
        page = seller.get("/").content.decode()
    assert item.instead == () and item.email == "" and item.mobile == ""
    assert "instead</button>" not in page and "mailto:" not in page
    assert ">Skip this step</button>" in page


def test_the_command_line_logs_a_note_emailed_instead(account, ringback):
    ann, _, at = no_address_at_the_note(account, emails=["ann@example.com"])
    result = ringback.ok("log", "Ann Lee", "emailed", "--user", "sally", now=at)
    assert "emailed" in result.out
    touch = Touch.objects.filter(contact=ann).latest("id")
    assert (touch.channel, touch.step) == ("email", "the-note")
    refused = ringback("log", "Ann Lee", "done", "--user", "sally", now=at)
    assert refused.code != 0
