"""Replies stop the chase, out-of-office pauses it (issue 13): Ringback reads the seller's mailbox
on a real IMAP server (Dovecot on loopback). A reply to an email it sent logs an inbound touch,
ends the chase and puts "they wrote back" with their first lines at the top of Today; Gmail- and
Exchange-style out-of-office notices pause the whole playbook until the day they are back (or 7
days); automatic answers change nothing; a bounce marks the address bad; the seller's own mail is
no reply; a 20 MB attachment, broken MIME and a forged In-Reply-To naming another account's email
do no harm; each message is read once, even across a poll cut short; nothing is deleted, moved
or marked read; a login that fails is recorded for Settings and the others are read anyway."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from ringback.accounts.models import Mailbox
from ringback.accounts.services import mailbox_set
from ringback.activities.emailing import emails_queue_due
from ringback.activities.models import Touch
from ringback.contacts.models import EmailSuppression
from ringback.core import clock
from ringback.inbox import services as inbox_services
from ringback.inbox.models import InboundMessage
from ringback.inbox.services import inbox_poll, inboxes_poll
from ringback.jobs.worker import worker_run
from ringback.outbox.models import OutboundEmail
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollments_wake
from ringback.testing.imap import PASSWORD, ImapServer
from ringback.testing.outbox import NOW, email_due, email_seller
from ringback.testing.sellers import signed_in
from ringback.testing.smtp import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _at_nine() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def sent_email(smtp: SmtpServer, number: int = 1, username: str = "sally") -> OutboundEmail:
    """Sally (or ``username``) emailed contact ``number``; the outbox row."""
    account = email_seller(username)
    contact = email_due(account, number)
    emails_queue_due(account=account)
    worker_run(until_idle=True)
    return OutboundEmail.objects.get(contact=contact, status="sent")


def watch(account: Any, imap: ImapServer, user: str) -> Mailbox:
    """The account reads ``user``'s mailbox; a first poll starts it at what arrives from now on."""
    mailbox = mailbox_set(
        account=account, host="127.0.0.1", port=imap.port, security="none", username=user, password=PASSWORD
    )
    assert inbox_poll(account=account).error == ""
    return mailbox


def reply(email: OutboundEmail, body: str = "Thanks Sally! Call me Thursday after 4.", **headers: str) -> str:
    lines = {
        "From": f"Mary Person1 <{email.to_address}>",
        "To": email.from_address,
        "Subject": f"Re: {email.subject}",
        "Date": "Mon, 23 Nov 2026 10:12:00 -0500",
        "Message-ID": f"<reply-{email.pk}-{len(body)}@example.com>",
        "In-Reply-To": email.message_id,
        "References": email.message_id,
    }
    lines.update(headers)
    head = "\n".join(f"{k}: {v}" for k, v in lines.items() if v)
    return f"{head}\n\n{body}\n\nOn Mon, Nov 23, 2026, Sally wrote:\n> {email.body[:40]}\n"


def test_a_reply_stops_the_chase_and_tops_today_with_their_words(
    smtp: SmtpServer, imap_server: ImapServer, imap_user: str
) -> None:
    email = sent_email(smtp)
    account = email.account
    watch(account, imap_server, imap_user)
    imap_server.deliver(imap_user, reply(email))
    report = inbox_poll(account=account)
    assert (report.read, report.replies, report.error) == (1, 1, "")

    touch = Touch.objects.get(contact=email.contact, outcome="callback")
    assert (touch.channel, touch.direction) == ("email", "in")
    assert touch.note == "Thanks Sally! Call me Thursday after 4."
    assert Enrollment.objects.get(contact=email.contact).status == "engaged"
    row = InboundMessage.objects.get()
    assert (row.kind, row.matched_by, row.answered_id) == ("reply", "message-id", email.pk)

    page = signed_in(account).get("/").content.decode()
    first_card = page.split('<article class="card', 2)[1]
    assert "They wrote back on" in first_card and "Call me Thursday after 4." in first_card

    assert inbox_poll(account=account).read == 0  # nothing read twice
    assert imap_server.count(imap_user) == 1  # nothing deleted or moved
    assert all("\\Seen" not in flags for flags in imap_server.flags(imap_user))  # nor marked read


def test_a_reply_without_references_is_matched_by_its_sender(
    smtp: SmtpServer, imap_server: ImapServer, imap_user: str
) -> None:
    email = sent_email(smtp)
    watch(email.account, imap_server, imap_user)
    imap_server.deliver(imap_user, reply(email, "Yes, interested!", **{"In-Reply-To": "", "References": ""}))
    assert inbox_poll(account=email.account).replies == 1
    assert InboundMessage.objects.get().matched_by == "sender"


GMAIL_OOO = """From: Mary Person1 <{to}>
To: {frm}
Subject: Out of Office: {subject}
Auto-Submitted: auto-replied
Date: Mon, 23 Nov 2026 09:01:00 -0500
In-Reply-To: {mid}

Hi, I'm out of the office with limited access to email. I'll be back on Monday, December 7.
"""

EXCHANGE_OOO = """From: Mary Person1 <{to}>
To: {frm}
Subject: Automatic reply: {subject}
X-Auto-Response-Suppress: All
Date: Mon, 23 Nov 2026 09:01:00 -0500
Content-Type: text/html; charset=utf-8

<html><body><p>Thank you for your message. I am currently away and have limited access to email.</p></body></html>
"""


def test_a_gmail_out_of_office_pauses_calls_too_until_the_day_they_are_back(
    smtp: SmtpServer, imap_server: ImapServer, imap_user: str
) -> None:
    email = sent_email(smtp)
    account = email.account
    watch(account, imap_server, imap_user)
    imap_server.deliver(
        imap_user,
        GMAIL_OOO.format(
            to=email.to_address, frm=email.from_address, subject=email.subject, mid=email.message_id
        ),
    )
    assert inbox_poll(account=account).paused == 1
    enrollment = Enrollment.objects.get(contact=email.contact)
    assert enrollment.status == "paused"
    assert enrollment.paused_until is not None and enrollment.paused_until.date().isoformat() == "2026-12-07"
    assert not Touch.objects.filter(outcome="callback").exists()  # an automatic answer is no reply
    with clock.frozen(NOW + timedelta(days=3)):
        page = signed_in(account).get("/").content.decode()
        assert "Mary Person1" not in page  # the call after the email waits too
        assert enrollments_wake() == 0
    with clock.frozen(NOW + timedelta(days=14, hours=1)):
        assert enrollments_wake() == 1
    assert Enrollment.objects.get(contact=email.contact).status == "active"


def test_an_exchange_out_of_office_without_a_date_pauses_a_week(
    smtp: SmtpServer, imap_server: ImapServer, imap_user: str
) -> None:
    email = sent_email(smtp)
    watch(email.account, imap_server, imap_user)
    imap_server.deliver(
        imap_user, EXCHANGE_OOO.format(to=email.to_address, frm=email.from_address, subject=email.subject)
    )
    assert inbox_poll(account=email.account).paused == 1
    enrollment = Enrollment.objects.get(contact=email.contact)
    assert enrollment.paused_until == NOW + timedelta(days=7)


def test_automatic_answers_and_own_mail_change_nothing(
    smtp: SmtpServer, imap_server: ImapServer, imap_user: str
) -> None:
    email = sent_email(smtp)
    watch(email.account, imap_server, imap_user)
    imap_server.deliver(imap_user, reply(email, "Your ticket 123 was received.", Precedence="bulk"))
    own = reply(email, "Hi Mary, following my note…", From=email.from_address, To=email.to_address)
    imap_server.deliver(imap_user, own)
    report = inbox_poll(account=email.account)
    assert (report.read, report.replies, report.ignored) == (2, 0, 2)
    assert sorted(InboundMessage.objects.values_list("kind", flat=True)) == ["auto-reply", "own"]
    assert Enrollment.objects.get(contact=email.contact).status == "active"


BOUNCE = """From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
To: {frm}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"

--BOUND
Content-Type: text/plain

Your message could not be delivered.

--BOUND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {to}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--BOUND
Content-Type: text/rfc822-headers

From: {frm}
To: {to}
Message-ID: {mid}

--BOUND--
"""


def test_a_bounce_marks_the_address_bad_and_email_stops(
    smtp: SmtpServer, imap_server: ImapServer, imap_user: str
) -> None:
    email = sent_email(smtp)
    watch(email.account, imap_server, imap_user)
    imap_server.deliver(
        imap_user, BOUNCE.format(frm=email.from_address, to=email.to_address, mid=email.message_id)
    )
    assert inbox_poll(account=email.account).bounced == 1
    stop = EmailSuppression.objects.get()
    assert (stop.address, stop.reason) == (email.to_address, "bounced") and "User unknown" in stop.detail
    assert Touch.objects.filter(contact=email.contact, note__contains="bounced").count() == 1


def test_hostile_messages_do_no_harm(smtp: SmtpServer, imap_server: ImapServer, imap_user: str) -> None:
    other = sent_email(smtp, 2, username="bob")  # another account's email
    email = sent_email(smtp, 1)
    watch(email.account, imap_server, imap_user)
    attachment = "\n".join(["QUFB" * 19] * (20 * 1024 * 1024 // 76))  # 20 MB of base64
    big = reply(
        email,
        "",
        **{"Content-Type": 'multipart/mixed; boundary="XX"', "MIME-Version": "1.0"},
    ).replace(
        "\n\n\n\nOn Mon",
        "\n\n--XX\nContent-Type: text/plain\n\nHere is the big file you wanted.\n"
        f"--XX\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n{attachment}\n--XX--\n\nOn Mon",
    )
    imap_server.deliver(imap_user, big)
    imap_server.deliver(
        imap_user, "From: x@nowhere.example\nContent-Type: multipart/mixed; boundary=nope\n\n--wrong\n"
    )
    forged = reply(other, "Stop everything", From="Stranger <stranger@elsewhere.example>")
    imap_server.deliver(imap_user, forged)
    report = inbox_poll(account=email.account)
    assert report.read == 3 and report.error == ""
    assert (
        Touch.objects.get(contact=email.contact, outcome="callback").note
        == "Here is the big file you wanted."
    )
    assert Enrollment.objects.get(contact=other.contact).status == "active"  # the other account untouched
    assert not Touch.objects.filter(contact=other.contact, direction="in").exists()


def test_a_poll_cut_short_reads_the_rest_once(
    smtp: SmtpServer, imap_server: ImapServer, imap_user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = email_seller()
    contacts = [email_due(account, n) for n in range(1, 5)]
    emails_queue_due(account=account)
    worker_run(until_idle=True)
    emails = list(OutboundEmail.objects.order_by("pk"))
    watch(account, imap_server, imap_user)
    for email in emails:
        imap_server.deliver(imap_user, reply(email))
    real = inbox_services._apply
    calls = {"n": 0}

    def dies_on_the_third(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ConnectionResetError("the worker's machine went away")
        return real(*args)

    monkeypatch.setattr(inbox_services, "_apply", dies_on_the_third)
    report = inbox_poll(account=account)
    assert report.read == 2 and "went away" in report.error
    monkeypatch.setattr(inbox_services, "_apply", real)
    assert inbox_poll(account=account).read == 2
    assert inbox_poll(account=account).read == 0
    for contact in contacts:
        assert Touch.objects.filter(contact=contact, outcome="callback").count() == 1


def test_a_failed_login_is_recorded_for_settings_and_the_others_are_read(
    smtp: SmtpServer, imap_server: ImapServer, imap_user: str
) -> None:
    broken = email_seller("bob")
    mailbox_set(
        account=broken,
        host="127.0.0.1",
        port=imap_server.port,
        security="none",
        username="bob",
        password="wrong",
    )
    email = sent_email(smtp)
    watch(email.account, imap_server, imap_user)
    imap_server.deliver(imap_user, reply(email))
    totals = inboxes_poll()
    assert totals == {"mailboxes": 2, "read": 1, "errors": 1}
    mailbox = Mailbox.objects.get(account=broken)
    assert (
        mailbox.error.startswith("the login to 127.0.0.1 failed") and "uthentication failed" in mailbox.error
    )
    settings_page = signed_in(broken).get("/settings/").content.decode()
    assert "the login to 127.0.0.1 failed" in settings_page


def test_the_mailbox_command_sets_checks_and_says_what_went_wrong(
    imap_server: ImapServer, imap_user: str, ringback: Any
) -> None:
    email_seller()
    base = ["mailbox", "set", "--host", "127.0.0.1", "--port", str(imap_server.port), "--security", "none"]
    refused = ringback(*base, "--username", imap_user, "--password", "wrong", "--user", "sally")
    assert refused.code == 0
    checked = ringback("mailbox", "check", "--user", "sally")
    assert checked.code == 1 and "the login to 127.0.0.1 failed" in checked.err
    ringback.ok(*base, "--username", imap_user, "--password", PASSWORD, "--user", "sally")
    assert ringback.json("mailbox", "check", "--user", "sally")["error"] == ""
    shown = ringback.json("mailbox", "--user", "sally")
    assert shown["username"] == imap_user and "password" not in shown


def test_the_settings_page_sets_the_mailbox_and_checks_it(imap_server: ImapServer, imap_user: str) -> None:
    account = email_seller()
    client: Client = signed_in(account)
    response = client.post(
        "/settings/mailbox/",
        {
            "host": "127.0.0.1",
            "port": str(imap_server.port),
            "security": "none",
            "username": imap_user,
            "password": PASSWORD,
            "folder": "INBOX",
        },
    )
    assert response.status_code == 302
    checked = client.post("/settings/mailbox/check/", follow=True).content.decode()
    assert "Your mailbox was read" in checked
    assert Mailbox.objects.get(account=account).uidvalidity is not None
