"""Reading the seller's mailbox (issue 13): a person's reply, automatic answers by each header
mail systems use, out-of-office notices with the day they are back (Gmail- and Exchange-style),
a bounce (RFC 3464), the seller's own mail, and the first lines of a reply without the quote."""

from __future__ import annotations

from datetime import date
from email import message_from_string, policy
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringback.core.inbound import InboundKind, first_lines, is_automatic, read_inbound, return_date

TODAY = date(2026, 11, 23)
OWN = frozenset({"sally@sweet-home.example"})


def parse(text: str) -> EmailMessage:
    message = message_from_string(text.lstrip(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def read(text: str) -> object:
    return read_inbound(parse(text), own_addresses=OWN, today=TODAY)


REPLY = """
From: Mary Smith <Mary@Example.com>
To: Sally <sally@sweet-home.example>
Subject: Re: Mary, the resource I mentioned
Date: Mon, 23 Nov 2026 10:12:00 -0500
Message-ID: <reply-1@example.com>
In-Reply-To: <rb.abc@sweet-home.example>
References: <older@x> <rb.abc@sweet-home.example>

Thanks Sally, this is great!
Can you call me Thursday after 4?

On Mon, Nov 23, 2026 at 9:00 AM Sally Baker <sally@sweet-home.example> wrote:
> Hi Mary,
> Here is the resource I mentioned.
"""


def test_a_persons_reply_with_its_first_lines_and_what_it_answers() -> None:
    found = read(REPLY)
    assert found.kind is InboundKind.REPLY  # type: ignore[attr-defined]
    assert found.sender == "mary@example.com"  # type: ignore[attr-defined]
    assert found.answers == ("<rb.abc@sweet-home.example>", "<older@x>")  # type: ignore[attr-defined]
    assert found.first_lines == "Thanks Sally, this is great! Can you call me Thursday after 4?"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "X-Autoreply: yes",
        "X-Autorespond: Out of office",
        "Precedence: auto_reply",
        "Precedence: bulk",
        "Precedence: junk",
        "X-Auto-Response-Suppress: All",
        "Return-Path: <>",
    ],
)
def test_each_automatic_header_makes_it_no_reply(header: str) -> None:
    text = REPLY.replace("Message-ID:", f"{header}\nMessage-ID:")
    assert is_automatic(parse(text))
    assert read(text).kind is InboundKind.AUTO_REPLY  # type: ignore[attr-defined]


def test_auto_submitted_no_is_a_person() -> None:
    assert read(REPLY.replace("Message-ID:", "Auto-Submitted: no\nMessage-ID:")).kind is InboundKind.REPLY  # type: ignore[attr-defined]


GMAIL_OOO = """
From: Mary Smith <mary@example.com>
To: sally@sweet-home.example
Subject: Out of Office: Mary, the resource I mentioned
Auto-Submitted: auto-replied
Date: Mon, 23 Nov 2026 09:01:00 -0500
In-Reply-To: <rb.abc@sweet-home.example>

Hi, I'm out of the office with limited access to email. I'll be back on Monday, December 7.
"""

EXCHANGE_OOO = """
From: Mary Smith <mary@example.com>
To: sally@sweet-home.example
Subject: Automatic reply: Mary, the resource I mentioned
X-Auto-Response-Suppress: All
Date: Mon, 23 Nov 2026 09:01:00 -0500
Content-Type: text/html; charset=utf-8

<html><body><p>Thank you for your message. I am away until 4 December 2026 and will reply on my return.</p></body></html>
"""


@pytest.mark.parametrize(
    ("text", "back"), [(GMAIL_OOO, date(2026, 12, 7)), (EXCHANGE_OOO, date(2026, 12, 4))]
)
def test_out_of_office_with_the_day_they_are_back(text: str, back: date) -> None:
    found = read(text)
    assert found.kind is InboundKind.OUT_OF_OFFICE  # type: ignore[attr-defined]
    assert found.back_on == back  # type: ignore[attr-defined]


def test_an_out_of_office_subject_alone_is_enough_and_no_date_is_none() -> None:
    text = REPLY.replace("Subject: Re: Mary, the resource I mentioned", "Subject: Out of office").replace(
        "Thanks Sally, this is great!", "I am travelling."
    )
    found = read(text)
    assert found.kind is InboundKind.OUT_OF_OFFICE and found.back_on is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("I'll be back on Monday, December 14.", date(2026, 12, 14)),
        ("Returning 14 December 2026.", date(2026, 12, 14)),
        ("I am out until Dec. 11th.", date(2026, 12, 11)),
        ("Back in the office on 12/14.", date(2026, 12, 14)),
        ("I return on 2027-01-04.", date(2027, 1, 4)),
        ("I'm away until January 5.", date(2027, 1, 5)),  # a date without a year: the coming one
        ("Back on Friday.", None),
        ("Out since November 2, no return date yet.", None),
    ],
)
def test_return_dates_in_english(text: str, back: date | None) -> None:
    assert return_date(text, received=TODAY) == back


@given(st.text(max_size=400))
def test_return_date_never_fails_and_is_never_before_the_day_received(text: str) -> None:
    back = return_date(text, received=TODAY)
    assert back is None or back >= TODAY


BOUNCE = """
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
To: sally@sweet-home.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"

--BOUND
Content-Type: text/plain

This is the mail system. Your message could not be delivered.

--BOUND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; Gone@Example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown

--BOUND
Content-Type: text/rfc822-headers

From: Sally <sally@sweet-home.example>
To: gone@example.com
Subject: Gone, the resource I mentioned
Message-ID: <rb.gone@sweet-home.example>

--BOUND--
"""


def test_a_bounce_names_the_failed_address_and_the_message() -> None:
    found = read(BOUNCE)
    assert found.kind is InboundKind.BOUNCE  # type: ignore[attr-defined]
    assert found.bounced == "gone@example.com"  # type: ignore[attr-defined]
    assert "User unknown" in found.diagnostic  # type: ignore[attr-defined]
    assert found.answers[0] == "<rb.gone@sweet-home.example>"  # type: ignore[attr-defined]


def test_the_sellers_own_mail_is_never_a_reply() -> None:
    own = REPLY.replace("From: Mary Smith <Mary@Example.com>", "From: Sally <Sally@Sweet-Home.example>")
    assert read(own).kind is InboundKind.OWN  # type: ignore[attr-defined]


def test_first_lines_stop_at_the_quote_the_signature_and_outlooks_header() -> None:
    assert first_lines("Yes please!\n\n-----Original Message-----\nFrom: Sally") == "Yes please!"
    assert first_lines("Call me.\n-- \nMary\n555-0101") == "Call me."
    assert first_lines("Sure.\nSent from my iPhone") == "Sure."
    assert first_lines("> quoted only") == ""
    assert first_lines("a\nb\nc\nd\ne\nf") == "a b c d"


def test_broken_mime_is_read_without_failing() -> None:
    broken = 'From: x@example.com\nContent-Type: multipart/mixed; boundary="nope"\nSubject: Re: hi\n\n--wrong\nno end'
    found = read(broken)
    assert found.kind is InboundKind.REPLY  # type: ignore[attr-defined]
