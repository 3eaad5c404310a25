"""The outbox's rules (issue 13): the moves of its state machine keep "never twice", an email goes
out only inside the contact's hours and the seller's days, an SMTP failure is read as worth
another try or refused for good, and the Message-ID is the same on every try."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringback.core.engine import Context
from ringback.core.outbox import (
    MOVES,
    SETTLED,
    OutboxStatus,
    SmtpVerdict,
    email_may_go,
    idempotency_key,
    message_id,
    smtp_error_text,
    smtp_verdict,
)
from ringback.core.scheduling import CallingHours, Recipient, WorkWeek

NEW_YORK = Context(
    recipient=Recipient(zone="America/New_York", country="US", subdivision="NY"),
    hours=CallingHours(time(8), time(21)),
    workweek=WorkWeek(frozenset(range(5)), "America/New_York"),
)


def reachable(start: OutboxStatus, *, without: frozenset[OutboxStatus] = frozenset()) -> set[OutboxStatus]:
    seen, todo = set(), [start]
    while todo:
        for to in MOVES[todo.pop()] - without:
            if to not in seen:
                seen.add(to)
                todo.append(to)
    return seen


def test_only_a_claim_leads_to_handing_over_and_a_handover_never_leads_back_by_itself() -> None:
    assert [was for was, moves in MOVES.items() if OutboxStatus.SENDING in moves] == [OutboxStatus.CLAIMED]
    # From "sending", the machine alone (not the seller's decisions on failed or unknown emails)
    # never reaches "sending" again: what may have gone is never handed over twice by itself.
    by_itself = reachable(OutboxStatus.SENDING, without=frozenset({OutboxStatus.QUEUED}))
    assert OutboxStatus.SENDING not in by_itself
    assert MOVES[OutboxStatus.SENDING] & {OutboxStatus.QUEUED} == {
        OutboxStatus.QUEUED
    }  # a refusal: it did not go
    assert MOVES[OutboxStatus.SENT] == frozenset()


def test_every_state_can_end_settled() -> None:
    for status in OutboxStatus:
        assert status in SETTLED or reachable(status) & SETTLED, status


def test_the_message_id_is_the_same_on_every_try_and_unguessable() -> None:
    key = idempotency_key(enrollment_id=7, step_index=1, step_id="welcome", touches=3)
    assert key == "enrollment-7/step-1-welcome/after-3"
    first = message_id(key=key, secret="s1", domain="sweet-home.example")
    assert first == message_id(key=key, secret="s1", domain="sweet-home.example")
    assert first != message_id(key=key, secret="s2", domain="sweet-home.example")
    assert first.startswith("<rb.") and first.endswith("@sweet-home.example>") and "welcome" not in first


@pytest.mark.parametrize(
    ("at", "why"),
    [
        (datetime(2026, 11, 23, 14, 0, tzinfo=UTC), ""),  # Monday 09:00 in New York
        (datetime(2026, 11, 23, 12, 30, tzinfo=UTC), "outside their hours"),  # 07:30
        (datetime(2026, 11, 24, 2, 30, tzinfo=UTC), "outside their hours"),  # Monday 21:30
        (datetime(2026, 11, 26, 15, 0, tzinfo=UTC), "a public holiday"),  # Thanksgiving
        (datetime(2026, 11, 28, 15, 0, tzinfo=UTC), "not one of your working days"),  # Saturday
    ],
)
def test_an_email_goes_inside_their_hours_on_the_sellers_days_never_on_their_holidays(
    at: datetime, why: str
) -> None:
    said = email_may_go(at, NEW_YORK)
    assert said.startswith(why) if why else said == ""


def test_a_vacation_holds_email_too() -> None:
    away = Context(
        recipient=NEW_YORK.recipient,
        hours=NEW_YORK.hours,
        workweek=NEW_YORK.workweek,
        vacations=((datetime(2026, 11, 23, 5, tzinfo=UTC), datetime(2026, 11, 24, 5, tzinfo=UTC)),),
    )
    assert email_may_go(datetime(2026, 11, 23, 14, 0, tzinfo=UTC), away) == "you are on vacation"


@pytest.mark.parametrize(
    ("error", "verdict", "text"),
    [
        (
            smtplib.SMTPDataError(451, b"4.3.0 Try again later"),
            SmtpVerdict.RETRY,
            "refused: 451 4.3.0 Try again later",
        ),
        (
            smtplib.SMTPDataError(550, b"5.1.1 No such user"),
            SmtpVerdict.REFUSED,
            "refused: 550 5.1.1 No such user",
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no")}),
            SmtpVerdict.REFUSED,
            "refused the recipient: 550 no",
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@b.c": (450, b"busy")}),
            SmtpVerdict.RETRY,
            "refused the recipient: 450 busy",
        ),
        (
            smtplib.SMTPServerDisconnected("closed"),
            SmtpVerdict.RETRY,
            "the mail server closed the connection",
        ),
        (TimeoutError("timed out"), SmtpVerdict.RETRY, "the mail server did not answer in time"),
        (ConnectionRefusedError(111, "refused"), SmtpVerdict.RETRY, "the mail server refused the connection"),
    ],
)
def test_smtp_failures_are_read_as_the_seller_would_want(
    error: BaseException, verdict: SmtpVerdict, text: str
) -> None:
    assert smtp_verdict(error) is verdict
    assert smtp_error_text(error).startswith(text)


@given(st.integers(min_value=100, max_value=599), st.binary(max_size=200))
def test_any_smtp_reply_code_gets_a_verdict_and_a_line(code: int, reply: bytes) -> None:
    error = smtplib.SMTPResponseException(code, reply)
    assert smtp_verdict(error) is (SmtpVerdict.REFUSED if code >= 500 else SmtpVerdict.RETRY)
    line = smtp_error_text(error)
    assert line.startswith(f"refused: {code}") and len(line) < 400
