"""Promises kept (issue 12, R11, seed 004): a promise with a due date comes on the agenda that day
("Send Mary the article on spring gardens, as you promised") with the library's resource message
filled in; marking it kept, from Today, the contact's page or ``ringback contact --keep-promise``,
logs a touch once, with the words it used; undo reopens it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest

from ringback.accounts.services import account_create
from ringback.activities.models import PromiseKept, Touch
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import AlreadyLogged, CardRef, agenda_card_log, promise_kept_log, touch_undo
from ringback.contacts.models import Promise
from ringback.contacts.services import PhoneInput, contact_create, promise_add
from ringback.core import clock
from ringback.core.agenda import ItemKind, Urgency
from ringback.core.errors import NotFound
from ringback.messaging.models import MessageVersion

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
TODAY = date(2026, 11, 23)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


def mary(account, *, email: bool = True):
    return contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        phones=[PhoneInput("212-555-0123")],
        emails=["mary@example.com"] if email else [],
    )


def promised(account, contact, due: date | None = TODAY, text: str = "the article on spring gardens"):
    return promise_add(account=account, contact=contact, text=text, due_on=due)


def promise_items(account, day: date | None = None):
    return [i for i in agenda_for_day(account=account, day=day).items if i.kind is ItemKind.PROMISE]


def page_text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- on the agenda ----------------------------------------------------------------------------------


def test_a_promise_due_today_is_a_line_with_the_resource_email_filled_in(account):
    m = mary(account)
    promise = promised(account, m)
    (item,) = promise_items(account)
    assert item.reason == "Send Mary the article on spring gardens, as you promised"
    assert item.timely == "promised for today" and item.urgency is Urgency.TIMELY
    assert item.promise_id == promise.pk and item.email == "mary@example.com"
    assert item.template == "the-resource-by-email"
    assert item.subject == "Mary, the article on spring gardens"
    assert "As promised, here is the article on spring gardens" in item.script
    version = MessageVersion.objects.get(pk=item.message_version_id)
    assert version.message.name == "the-resource-by-email"


def test_without_an_email_the_line_gives_the_voicemail_that_says_it_is_ready(account):
    m = mary(account, email=False)
    promised(account, m)
    (item,) = promise_items(account)
    assert item.template == "the-resource-i-promised" and item.subject == ""
    assert "I've got that resource I told you about, the article on spring gardens" in item.script
    # Two working days on (Sally works Monday to Friday): Wednesday.
    assert "I'll try you again on Wednesday" in item.script
    assert item.phone == "+12125550123"


def test_late_promises_say_how_late_and_future_undated_kept_or_do_not_contact_ones_do_not_show(account):
    m = mary(account)
    late = promised(account, m, due=TODAY - timedelta(days=2), text="the catalogue")
    promised(account, m, due=TODAY + timedelta(days=1), text="the price list")
    promised(account, m, due=None, text="a sample")
    kept = promised(account, m, text="the recipe")
    promise_kept_log(account=account, contact=m, promise_id=kept.pk)
    gone = contact_create(account=account, first_name="Gail", phones=[PhoneInput("212-555-0177")])
    gone.do_not_contact = True
    gone.save(update_fields=["do_not_contact"])
    promised(account, gone)
    (item,) = promise_items(account)
    assert item.promise_id == late.pk
    assert item.reason == "Send Mary the catalogue, as you promised (2 days late)"
    assert item.timely == "promised for Sat 21 Nov" and item.overdue and item.overdue_days == 2
    # The day it falls due, the price list comes too.
    tomorrow = promise_items(account, day=TODAY + timedelta(days=1))
    assert [i.reason.split(",")[0] for i in tomorrow] == [
        "Send Mary the catalogue",
        "Send Mary the price list",
    ]


# --- kept, once -------------------------------------------------------------------------------------


def test_keeping_logs_one_touch_with_the_words_and_a_second_keep_logs_nothing(account):
    m = mary(account)
    promise = promised(account, m)
    (item,) = promise_items(account)
    ref = CardRef(kind=ItemKind.PROMISE, contact_id=m.pk, promise_id=promise.pk)
    touch = agenda_card_log(account=account, contact=m, ref=ref, outcome="done")
    assert (touch.step, touch.channel, touch.outcome) == ("promise", "task", "done")
    assert touch.note == "Kept a promise: the article on spring gardens"
    assert touch.message_version_id == item.message_version_id and touch.template == "the-resource-by-email"
    assert Promise.objects.get(pk=promise.pk).kept_at == NOW
    assert promise_items(account) == []
    with pytest.raises(
        AlreadyLogged, match="already marked kept on Mon 23 Nov at 09:00 EST; nothing was logged"
    ):
        agenda_card_log(account=account, contact=m, ref=ref, outcome="done")
    assert Touch.objects.filter(contact=m).count() == 1


def test_undo_reopens_the_promise_and_it_can_be_kept_again(account):
    m = mary(account)
    promise = promised(account, m)
    promise_kept_log(account=account, contact=m, promise_id=promise.pk)
    undone = touch_undo(account=account, contact=m)
    assert undone.step == "promise"
    assert Promise.objects.get(pk=promise.pk).kept_at is None
    assert not PromiseKept.objects.exists()
    assert [i.promise_id for i in promise_items(account)] == [promise.pk]
    again = promise_kept_log(account=account, contact=m, promise_id=promise.pk)
    assert PromiseKept.objects.get().touch == again


def test_another_contacts_or_accounts_promise_is_no_such_promise(account):
    m = mary(account)
    other = contact_create(account=account, first_name="Ann", phones=[PhoneInput("212-555-0188")])
    promise = promised(account, m)
    bob = account_create(username="bob", password=None)
    bobs = contact_create(account=bob, first_name="Bert", phones=[PhoneInput("212-555-0199")])
    for who, contact in ((account, other), (bob, bobs)):
        with pytest.raises(NotFound, match="no such promise"):
            promise_kept_log(account=who, contact=contact, promise_id=promise.pk)
    assert Promise.objects.get(pk=promise.pk).kept_at is None
    assert not Touch.objects.exists()


# --- on the web ---------------------------------------------------------------------------------------


def test_today_shows_the_line_and_kept_logs_it_once(account, seller):
    m = mary(account)
    promise = promised(account, m)
    today = seller.get("/")
    text = page_text(today)
    assert "Promised" in text and "Send Mary the article on spring gardens, as you promised" in text
    assert "What to send" in text and "Subject: Mary, the article on spring gardens" in text
    html = today.content.decode()
    assert 'href="mailto:mary@example.com?subject=Mary%2C%20the%20article%20on%20spring%20gardens' in html
    assert f'name="promise_id" value="{promise.pk}"' in html
    assert (
        '<button type="submit" name="outcome" value="done" class="action " data-action>Kept</button>' in html
    )
    fields = {"kind": "promise", "promise_id": str(promise.pk), "outcome": "done", "due": NOW.isoformat()}
    first = seller.post(
        f"/today/{m.pk}/log/", {**fields, "submission_token": "promise-token-0001"}, follow=True
    )
    assert "Mary Smith: promise kept, logged." in page_text(first)
    second = seller.post(
        f"/today/{m.pk}/log/", {**fields, "submission_token": "promise-token-0002"}, follow=True
    )
    assert "was already marked kept on Mon 23 Nov at 09:00 EST; nothing was logged" in page_text(second)
    assert Touch.objects.filter(contact=m, step="promise").count() == 1
    assert "Send Mary the article" not in page_text(seller.get("/"))


def test_the_contact_pages_kept_button_logs_it_on_the_timeline(account, seller):
    m = mary(account)
    promise = promised(account, m)
    url = f"/contacts/{m.pk}/promises/{promise.pk}/kept/"
    response = seller.post(url, {"submission_token": "promise-page-0001"}, follow=True)
    text = page_text(response)
    assert "Kept: “the article on spring gardens”." in text
    assert "Kept a promise: the article on spring gardens" in text  # on the timeline
    again = seller.post(url, {"submission_token": "promise-page-0002"}, follow=True)
    assert "was already marked kept" in page_text(again)
    assert Touch.objects.filter(contact=m, step="promise").count() == 1


# --- on the command line --------------------------------------------------------------------------------


def test_ringback_contact_notes_and_keeps_a_promise_and_the_agenda_lists_it(account, ringback):
    m = mary(account)
    ringback.now = NOW.isoformat()
    noted = ringback.ok(
        "contact",
        "Mary",
        "--promise",
        "the article on spring gardens",
        "--promise-due",
        "2026-11-23",
        "--user",
        "sally",
    )
    promise = Promise.objects.get(contact=m)
    assert f"Promise {promise.pk} noted: the article on spring gardens, due Mon 23 Nov 2026." in noted.out
    assert f"promise {promise.pk}: the article on spring gardens, due 2026-11-23" in noted.out
    (item,) = [i for i in ringback.agenda("--user", "sally") if i["kind"] == "promise"]
    assert (item["promise_id"], item["template"], item["email"]) == (
        promise.pk,
        "the-resource-by-email",
        "mary@example.com",
    )
    assert item["reason"] == "Send Mary the article on spring gardens, as you promised"
    kept = ringback.ok("contact", "Mary", "--keep-promise", str(promise.pk), "--user", "sally")
    assert f"Promise {promise.pk} kept, logged on Mary Smith's timeline." in kept.out
    assert f"promise {promise.pk}: the article on spring gardens, due 2026-11-23 (kept)" in kept.out
    again = ringback("contact", "Mary", "--keep-promise", str(promise.pk), "--user", "sally")
    assert again.code == 1 and "was already marked kept on Mon 23 Nov at 09:00 EST" in again.err
    missing = ringback("contact", "Mary", "--keep-promise", "999999", "--user", "sally")
    assert missing.code == 1 and "no such promise" in missing.err
    late = ringback("contact", "Mary", "--promise-due", "2026-11-30", "--user", "sally")
    assert late.code == 1 and "--promise-due goes with --promise TEXT" in late.err
    assert Touch.objects.filter(contact=m, step="promise").count() == 1
