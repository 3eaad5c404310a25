"""No dead ends: a step that can't be carried out is one clear item with a way on (issue 11: #4, #5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from ringback.accounts.services import account_create
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import touch_log, touch_undo
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


@pytest.fixture
def account():
    return account_create(username="sally", password="a-long-password", time_zone="America/New_York")


@pytest.fixture
def seller(client, account):
    client.force_login(get_user_model().objects.get(username="sally"))
    return client


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
