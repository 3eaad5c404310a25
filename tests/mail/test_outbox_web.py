"""The outbox on the web and the command line (issue 13): Today shows where each email step's
email stands (goes out by itself, Send, sent, the decision an email that failed or may have gone
needs), the Outbox page lists them, ``ringback outbox`` does the same; and the unsubscribe link
works in one click without signing in or a cookie, and refuses a token it did not sign."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from ringback.activities.emailing import emails_queue_due
from ringback.activities.models import Touch
from ringback.contacts.models import EmailSuppression
from ringback.contacts.services import email_suppress
from ringback.core import clock
from ringback.jobs.worker import worker_run
from ringback.outbox.models import OutboundEmail
from ringback.outbox.services import unsubscribe_token
from ringback.testing.outbox import NOW, email_due, email_seller
from ringback.testing.sellers import signed_in
from ringback.testing.smtp import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _at_nine() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def card_of(html: str, name: str) -> str:
    """The Today card of ``name``."""
    for card in re.findall(r"<article class=\"card.*?</article>", html, re.S):
        if name in card:
            return str(card)
    raise AssertionError(f"no card for {name}")


def today(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_today_says_an_email_goes_out_by_itself_then_that_it_was_sent(smtp: SmtpServer) -> None:
    account = email_seller()
    email_due(account, 1)
    client = signed_in(account)
    card = card_of(today(client), "Mary Person1")
    assert "Goes out by itself when due, inside their hours" in card and ">Send now<" in card
    emails_queue_due()
    assert "On its way: Ringback is sending it" in card_of(today(client), "Mary Person1")
    worker_run(until_idle=True)
    page = today(client)
    assert "Emails: 1 sent today" in page


def test_send_on_a_manual_step_sends_it_once(smtp: SmtpServer) -> None:
    account = email_seller(send="manual")
    mary = email_due(account, 1)
    client = signed_in(account)
    card = card_of(today(client), "Mary Person1")
    assert "Goes out by itself" not in card and ">Send<" in card
    enrollment = re.search(r'name="enrollment" value="(\d+)"', card)
    assert enrollment
    for _ in range(2):
        response = client.post(f"/today/{mary.pk}/send/", {"enrollment": enrollment.group(1)}, follow=True)
        assert response.status_code == 200
    assert "is on its way" in response.content.decode() or "already" in response.content.decode()
    worker_run(until_idle=True)
    assert len(smtp.mailbox.received) == 1 and OutboundEmail.objects.get().status == "sent"


def test_a_failed_email_asks_the_seller_and_send_again_works(smtp: SmtpServer) -> None:
    account = email_seller()
    email_due(account, 1)
    smtp.mailbox.modes = ["refuse"]
    emails_queue_due()
    worker_run(until_idle=True)
    client = signed_in(account)
    card = card_of(today(client), "Mary Person1")
    assert "Not sent: refused: 550 5.1.1 No such user here" in card and ">Send again<" in card
    assert "1 needs you" in today(client)
    outbox = client.get("/outbox/?status=failed").content.decode()
    assert "person1@example.com" in outbox and "Failed" in outbox
    email = OutboundEmail.objects.get()
    response = client.post(f"/outbox/{email.pk}/decide/", {"decision": "resend", "back": "outbox"})
    assert response.status_code == 302 and response["Location"] == "/outbox/"
    worker_run(until_idle=True)
    email.refresh_from_db()
    assert email.status == "sent" and len(smtp.mailbox.received) == 1


def test_unsubscribe_asks_on_get_and_unsubscribes_on_a_cookieless_one_click_post(smtp: SmtpServer) -> None:
    account = email_seller()
    mary = email_due(account, 1)
    emails_queue_due()
    worker_run(until_idle=True)
    link = smtp.mailbox.received[0]["List-Unsubscribe"].strip()[1:-1]
    path = link.removeprefix("https://ringback.example.com")
    stranger = Client(enforce_csrf_checks=True)
    page = stranger.get(path)
    assert page.status_code == 200 and "Unsubscribe?" in page.content.decode()
    assert not EmailSuppression.objects.exists()  # a GET (a link scanner) changes nothing
    assert "Set-Cookie" not in page.headers and not page.cookies

    response = stranger.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "You're unsubscribed" in response.content.decode()
    assert not response.cookies
    suppression = EmailSuppression.objects.get()
    assert (suppression.address, suppression.reason, suppression.contact_id) == (
        "person1@example.com",
        "unsubscribed",
        mary.pk,
    )
    assert "one-click" in suppression.detail
    assert Touch.objects.filter(contact=mary, outcome="note", note__contains="Unsubscribed").count() == 1
    again = stranger.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200
    assert Touch.objects.filter(contact=mary, note__contains="Unsubscribed").count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "WzEsMSwieEB5LnoiXQ:1abcde:forged",
        "",  # replaced below by a real token cut short
    ],
)
def test_a_malformed_unsubscribe_token_is_a_plain_400_and_changes_nothing(token: str) -> None:
    account = email_seller()
    mary = email_due(account, 1)
    if not token:
        token = unsubscribe_token(account_id=account.pk, contact_id=mary.pk, address="person1@example.com")[
            :-3
        ]
    client = Client()
    for method in (client.get, client.post):
        response = method(f"/u/{token}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert not EmailSuppression.objects.exists()


def test_the_outbox_command_lists_sends_and_decides(smtp: SmtpServer, ringback: Any) -> None:
    account = email_seller(send="manual")
    email_due(account, 1)
    sent = ringback.json("outbox", "send", "Mary Person1", "--user", "sally")
    assert sent["status"] == "queued" and sent["to"] == "person1@example.com"
    smtp.mailbox.modes = ["refuse"]
    worker_run(until_idle=True)
    listed = ringback.json("outbox", "--user", "sally")
    assert listed["needs_you"] == 1 and listed["emails"][0]["error"].startswith("refused: 550")
    assert (
        ringback.json("outbox", "decide", str(sent["id"]), "drop", "--user", "sally")["status"] == "cancelled"
    )
    refused = ringback("outbox", "decide", str(sent["id"]), "drop", "--user", "sally")
    assert refused.code == 1 and "nothing was changed" in refused.err
    stopped = ringback.json("outbox", "stop", "Person1@Example.com", "--user", "sally")
    assert stopped == {"address": "person1@example.com", "reason": "unsubscribed", "new": True}


def test_an_unsubscribed_contacts_email_step_says_why_it_cant_go() -> None:
    account = email_seller()
    mary = email_due(account, 1)
    email_suppress(account=account, address="person1@example.com", reason="unsubscribed", contact=mary)
    card = card_of(today(signed_in(account)), "Mary Person1")
    assert "This step needs an email address that still works (theirs unsubscribed, or bounced)" in card
    assert ">Send<" not in card and "Goes out by itself" not in card
