"""The email outbox's rules, in plain Python: its states and the moves between them, when an
email may go out, what an SMTP failure means, and the headers that make a send traceable.

Exactly once is impossible over SMTP: a worker can die after the server took the message and
before the database heard of it. What the outbox promises is *never twice*: a message is handed
to the server only from the ``sending`` state, which is entered once per row under a guarded
update, and a row found in ``sending`` by anyone but the worker that entered it becomes
``unknown``, which nothing retries by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
import socket
from datetime import datetime
from enum import StrEnum

from ringback.core.engine import Context
from ringback.core.scheduling import is_holiday_for, zone


class OutboxStatus(StrEnum):
    """Where an outgoing email stands."""

    #: Waiting for a worker (a first try, or a retry after a refusal or a time-out).
    QUEUED = "queued"
    #: A worker took it and is about to hand it to the mail server.
    CLAIMED = "claimed"
    #: Being handed to the mail server: if this is all we know, we don't know if it went.
    SENDING = "sending"
    #: The mail server accepted it.
    SENT = "sent"
    #: Refused for good, or every retry used up: shown to the seller, never dropped silently.
    FAILED = "failed"
    #: The worker died while handing it over: it may or may not have gone. The seller decides.
    UNKNOWN = "unknown"
    #: Not sent because the plan moved on before it could go (they answered, were stopped...).
    CANCELLED = "cancelled"


#: The moves a row may make; anything else is a bug or a race lost.
MOVES: dict[OutboxStatus, frozenset[OutboxStatus]] = {
    OutboxStatus.QUEUED: frozenset({OutboxStatus.CLAIMED, OutboxStatus.CANCELLED, OutboxStatus.FAILED}),
    # A claim whose worker died before sending is taken again by the retry of the same task.
    OutboxStatus.CLAIMED: frozenset(
        {
            OutboxStatus.SENDING,
            OutboxStatus.CLAIMED,
            OutboxStatus.QUEUED,
            OutboxStatus.CANCELLED,
            OutboxStatus.FAILED,
        }
    ),
    OutboxStatus.SENDING: frozenset(
        {OutboxStatus.SENT, OutboxStatus.QUEUED, OutboxStatus.FAILED, OutboxStatus.UNKNOWN}
    ),
    # Only the seller moves these: "it went" (sent), "send it again" (queued), "drop it".
    OutboxStatus.UNKNOWN: frozenset({OutboxStatus.SENT, OutboxStatus.QUEUED, OutboxStatus.CANCELLED}),
    OutboxStatus.FAILED: frozenset({OutboxStatus.QUEUED, OutboxStatus.CANCELLED}),
    OutboxStatus.SENT: frozenset(),
    # Only one never handed to the mail server (no ``sending_at``): the plan came back to it.
    OutboxStatus.CANCELLED: frozenset({OutboxStatus.QUEUED}),
}

#: The states a row ends in without the seller (what "nothing lost" counts).
SETTLED = frozenset({OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.UNKNOWN, OutboxStatus.CANCELLED})
#: The states that need the seller's decision.
NEEDS_SELLER = frozenset({OutboxStatus.FAILED, OutboxStatus.UNKNOWN})
#: The states of a row still on its way.
IN_FLIGHT = frozenset({OutboxStatus.QUEUED, OutboxStatus.CLAIMED, OutboxStatus.SENDING})


def can_move(was: OutboxStatus, to: OutboxStatus) -> bool:
    """Whether a row may go from ``was`` to ``to`` (see :data:`MOVES`)."""
    return to in MOVES[was]


def idempotency_key(*, enrollment_id: int, step_index: int, step_id: str, touches: int) -> str:
    """The one key of a step's email for an enrollment: the same visit of the same step always
    gives the same key (``touches`` counts what the enrollment recorded before the step), so a
    second scheduler, a double click or a retry finds the row already there."""
    return f"enrollment-{enrollment_id}/step-{step_index}-{step_id}/after-{touches}"


def message_id(*, key: str, secret: str, domain: str) -> str:
    """The Message-ID of the email with idempotency ``key``: the same on every try, so a
    recipient's mail system can tell a resend from a new message, and a reply's In-Reply-To
    finds the row; unguessable without ``secret``, so it says nothing of the key."""
    digest = hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]
    return f"<rb.{digest}@{domain}>"


def email_may_go(at: datetime, context: Context) -> str:
    """Why an email may not go out at ``at``, or "" when it may: inside the contact's hours (in
    every zone they may be in), on one of the seller's working days and outside the seller's
    vacations, never on a public holiday where the contact is."""
    recipient = context.recipient
    local = at.astimezone(zone(recipient.zone))
    if not context.workweek.works_at(at):
        return "not one of your working days"
    if any(start <= at < end for start, end in context.vacations):
        return "you are on vacation"
    if is_holiday_for(local.date(), recipient):
        return f"a public holiday where they are ({local:%a %d %b})"
    for zone_name in recipient.zones:
        clock_time = at.astimezone(zone(zone_name)).time()
        if not context.hours.start <= clock_time < context.hours.end:
            return f"outside their hours ({context.hours.start:%H:%M}-{context.hours.end:%H:%M} {zone_name})"
    return ""


class SmtpVerdict(StrEnum):
    """What to do after the mail server did not take a message."""

    #: It was not taken, and may be next time: retry with back-off.
    RETRY = "retry"
    #: The server refused it for good (a 5xx reply): mark it failed and show it.
    REFUSED = "refused"


def smtp_verdict(error: BaseException) -> SmtpVerdict:
    """Read an exception raised while handing a message over.

    Every case here is one where the server did *not* accept the message (it accepts only with
    its final reply to DATA): a 4xx reply, a closed connection (even mid-DATA), a refused or
    timed-out connection are worth another try; a 5xx reply is refused for good. An error this
    does not know is retried: the retries are bounded and end in ``failed``, shown.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return SmtpVerdict.REFUSED if codes and all(c >= 500 for c in codes) else SmtpVerdict.RETRY
    if isinstance(error, smtplib.SMTPResponseException):
        return SmtpVerdict.REFUSED if error.smtp_code >= 500 else SmtpVerdict.RETRY
    if isinstance(error, smtplib.SMTPServerDisconnected | socket.timeout | TimeoutError | OSError):
        return SmtpVerdict.RETRY
    return SmtpVerdict.RETRY


def smtp_error_text(error: BaseException) -> str:
    """One line saying what the mail server did, for the seller ("refused: 550 5.1.1 no such
    user", "timed out", "closed the connection")."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_text(reply)}" for code, reply in error.recipients.values()]
        return "refused the recipient: " + "; ".join(parts)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"refused: {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "the mail server closed the connection before taking the message"
    if isinstance(error, socket.timeout | TimeoutError):
        return "the mail server did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "the mail server refused the connection (is it running?)"
    return f"{type(error).__name__}: {error}"[:500]


def _text(reply: bytes | str) -> str:
    return (reply.decode(errors="replace") if isinstance(reply, bytes) else reply)[:300]
