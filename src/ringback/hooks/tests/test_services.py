"""Registering webhooks, and the events the other apps' services emit, in their transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ringback.accounts.models import Account
from ringback.accounts.services import mailbox_set
from ringback.activities.services import appointment_book, appointment_cancel, appointment_move, touch_log
from ringback.contacts.models import Contact
from ringback.core.errors import InvalidInput, NotFound
from ringback.hooks.models import Webhook, WebhookDelivery
from ringback.hooks.selectors import webhook_deliveries, webhook_get, webhooks_list
from ringback.hooks.services import (
    WEBHOOKS_MAX,
    webhook_create,
    webhook_delete,
    webhook_event_emit,
    webhook_ping,
    webhook_secret_rotate,
    webhook_update,
)
from ringback.inbox.services import PollReport, inbound_message_read
from ringback.playbooks.services import enrollment_start

URL = "https://93.184.215.14/hooks"
ALL = [
    "callback.logged",
    "reply.received",
    "appointment.booked",
    "appointment.moved",
    "appointment.cancelled",
    "enrollment.ended",
]


def bodies(event: str | None = None) -> list[dict[str, Any]]:
    rows = WebhookDelivery.objects.order_by("pk")
    return [json.loads(d.body) for d in rows if event is None or d.event == event]


def test_a_webhook_is_registered_with_a_secret_and_its_events(account: Account) -> None:
    webhook = webhook_create(
        account=account, url=f"  {URL}  ", events=["enrollment.ended", "callback.logged"], description=" CRM "
    )
    assert (webhook.url, webhook.events, webhook.description, webhook.active) == (
        URL,
        ["callback.logged", "enrollment.ended"],
        "CRM",
        True,
    )
    assert webhook.secret.startswith("whsec_") and len(webhook.secret) > 40
    assert webhook_create(account=account, url=URL, events=ALL[:1]).secret != webhook.secret


@pytest.mark.parametrize(
    ("events", "says"),
    [
        ([], "at least one event"),
        (["ping"], "'ping' is not an event"),
        (["callback.logged", "nope"], "'nope'"),
    ],
)
def test_events_are_checked(account: Account, events: list[str], says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        webhook_create(account=account, url=URL, events=events)
    assert caught.value.field == "events" and says in caught.value.message


def test_description_and_count_are_limited(account: Account) -> None:
    with pytest.raises(InvalidInput) as caught:
        webhook_create(account=account, url=URL, events=ALL, description="x" * 201)
    assert caught.value.field == "description"
    with pytest.raises(InvalidInput):
        webhook_create(account=account, url=URL, events=ALL, description="a\x00b")
    for _ in range(WEBHOOKS_MAX):
        webhook_create(account=account, url=URL, events=ALL)
    with pytest.raises(InvalidInput) as caught:
        webhook_create(account=account, url=URL, events=ALL)
    assert caught.value.field == "url" and "at most 20" in caught.value.message


def test_another_accounts_webhook_is_no_webhook(account: Account, other: Account) -> None:
    theirs = webhook_create(account=other, url=URL, events=ALL, description="Bob's")
    calls = (
        lambda: webhook_get(account=account, webhook_id=theirs.pk),
        lambda: webhook_update(account=account, webhook_id=theirs.pk, active=False),
        lambda: webhook_delete(account=account, webhook_id=theirs.pk),
        lambda: webhook_secret_rotate(account=account, webhook_id=theirs.pk),
        lambda: webhook_ping(account=account, webhook_id=theirs.pk),
        lambda: webhook_deliveries(account=account, webhook_id=theirs.pk),
        lambda: webhook_get(account=account, webhook_id=999_999),
    )
    for call in calls:
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.message == "no such webhook"
    assert list(webhooks_list(account=account)) == []
    theirs.refresh_from_db()
    assert theirs.active and not WebhookDelivery.objects.exists()
    assert webhook_event_emit(account=account, event="callback.logged", data={}) == 0


def test_update_and_delete(account: Account) -> None:
    webhook = webhook_create(account=account, url=URL, events=ALL)
    webhook_ping(account=account, webhook_id=webhook.pk)
    changed = webhook_update(account=account, webhook_id=webhook.pk, events=["reply.received"], active=False)
    assert (changed.events, changed.active) == (["reply.received"], False)
    assert webhook_event_emit(account=account, event="reply.received", data={}) == 0  # turned off
    webhook_delete(account=account, webhook_id=webhook.pk)
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()
    with pytest.raises(NotFound):
        webhook_delete(account=account, webhook_id=webhook.pk)


def test_only_subscribed_active_webhooks_get_an_event(account: Account, other: Account) -> None:
    webhook_create(account=account, url=URL, events=["callback.logged"])
    webhook_create(account=account, url=URL + "/2", events=["callback.logged", "reply.received"])
    webhook_create(account=account, url=URL + "/3", events=["reply.received"])
    webhook_create(account=other, url=URL, events=ALL)
    assert webhook_event_emit(account=account, event="callback.logged", data={"a": 1}) == 2
    ids = {b["id"] for b in bodies()}
    assert len(ids) == 2  # one id per delivery
    assert all(b["account_id"] == account.pk and b["data"] == {"a": 1} for b in bodies())


def test_an_event_nobody_listens_to_costs_one_query(account: Account) -> None:
    webhook_create(account=account, url=URL, events=["reply.received"])
    with CaptureQueriesContext(connection) as queries:
        assert webhook_event_emit(account=account, event="enrollment.ended", data=lambda: {"x": 1 / 0}) == 0
    assert len(queries) == 1


def test_the_services_emit_their_events(account: Account, mary: Contact) -> None:
    webhook_create(account=account, url=URL, events=ALL)
    enrollment = enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    starts = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    appointment = appointment_book(account=account, contact=mary, starts_at=starts, note="About the offer")
    [booked] = bodies("appointment.booked")
    assert booked["data"] == {
        "appointment_id": appointment.pk,
        "contact_id": mary.pk,
        "contact_name": "Mary Smith",
        "starts_at": "2026-11-24T15:00:00Z",
        "duration_minutes": 15,
        "note": "About the offer",
    }
    [ended] = bodies("enrollment.ended")  # the appointment ended the chase
    assert ended["data"] == {
        "enrollment_id": enrollment.pk,
        "contact_id": mary.pk,
        "playbook": "four-calls-two-weeks",
        "status": "engaged",
        "reason": ended["data"]["reason"],
        "ended_at": "2026-11-23T14:00:00Z",
    }
    assert ended["data"]["reason"]
    later = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    appointment_move(account=account, appointment=appointment, starts_at=later)
    [moved] = bodies("appointment.moved")
    assert moved["data"] == {
        **booked["data"],
        "starts_at": "2026-11-25T16:30:00Z",
        "previous_starts_at": "2026-11-24T15:00:00Z",
    }
    appointment_cancel(account=account, appointment=appointment, note="They are travelling")
    [cancelled] = bodies("appointment.cancelled")
    assert cancelled["data"]["appointment_id"] == appointment.pk
    assert cancelled["data"]["reason"] == "They are travelling"
    assert bodies("callback.logged") == []  # an appointment is not a callback
    touch_log(account=account, contact=mary, outcome="callback", via="text", phone="312 555 0123", note="yes")
    [callback] = bodies("callback.logged")
    assert (callback["data"]["via"], callback["data"]["phone"]) == ("sms", "+13125550123")
    assert len(bodies("enrollment.ended")) == 1  # ended once


def test_a_voicemail_emits_nothing(account: Account, mary: Contact) -> None:
    webhook_create(account=account, url=URL, events=ALL)
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    touch_log(account=account, contact=mary, outcome="voicemail")
    assert bodies() == []
    touch_log(account=account, contact=mary, outcome="not-interested")
    [ended] = bodies()
    assert (ended["event"], ended["data"]["status"]) == ("enrollment.ended", "stopped")


REPLY = b"""From: Mary Smith <mary@example.com>
To: sally@example.com
Subject: Re: the article
Date: Mon, 23 Nov 2026 10:12:00 -0500
Message-ID: <reply-1@example.com>

Thanks Sally! Call me Thursday after 4.
"""


def test_a_reply_read_from_the_mailbox_is_a_reply_and_a_callback(account: Account, mary: Contact) -> None:
    webhook_create(account=account, url=URL, events=["reply.received", "callback.logged"])
    mailbox = mailbox_set(
        account=account, host="imap.example.com", username="sally@example.com", password="pw"
    )
    row = inbound_message_read(
        account=account,
        mailbox=mailbox,
        uidvalidity=1,
        uid=1,
        message=message_from_bytes(REPLY),
        report=PollReport(),
    )
    assert row is not None
    [reply] = bodies("reply.received")
    assert reply["data"]["contact_id"] == mary.pk
    assert reply["data"]["from"] == "mary@example.com"
    assert reply["data"]["subject"] == "Re: the article"
    assert reply["data"]["message_id"] == "<reply-1@example.com>"
    assert "Call me Thursday after 4." in reply["data"]["first_lines"]
    [callback] = bodies("callback.logged")
    assert callback["data"]["via"] == "email" and callback["data"]["touch_id"] == reply["data"]["touch_id"]
