"""Email steps that go out by themselves: the scheduler that queues the due ones, the background
task that sends one, and the seller's Send button and decisions.

An email step is queued (a row of the outbox, :mod:`ringback.outbox`) when it is due, inside the
contact's hours, on the seller's working day, not on a holiday where the contact is, and while
the account's daily cap allows; ``send: manual`` steps only when the seller presses Send. The
task that sends it re-checks that the plan still wants it, hands it to the mail server once (see
:mod:`ringback.core.outbox`) and, once the server took it, logs the touch that completes the step,
in one transaction with the row marked sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django_tasks.base import TaskContext

from ringback.accounts.models import Account
from ringback.accounts.services import account_lock
from ringback.activities.choices import Channel as TouchChannel
from ringback.activities.choices import Direction
from ringback.activities.choices import Outcome as TouchOutcome
from ringback.activities.models import Touch
from ringback.activities.selectors import day_bounds, step_script_filled
from ringback.activities.services import AlreadyLogged, touch_log
from ringback.config import ringback_setting
from ringback.contacts.choices import SuppressionReason
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_email_to, contact_snapshot
from ringback.contacts.services import contact_lock, email_suppress
from ringback.core import clock
from ringback.core.errors import DailyCapReached, EmailStopped, InvalidInput, RingbackError
from ringback.core.outbox import (
    OutboxStatus,
    SmtpVerdict,
    email_may_go,
    idempotency_key,
    smtp_error_text,
    smtp_verdict,
)
from ringback.core.playbook import Channel, Outcome, Send, Step
from ringback.core.scheduling import zone
from ringback.jobs.background import background
from ringback.jobs.schedule import every
from ringback.messaging.models import MessageVersion
from ringback.outbox.models import OutboundEmail
from ringback.outbox.selectors import emails_counted_today, outbound_email_get
from ringback.outbox.services import (
    OutboxMoveRefused,
    body_with_footer,
    outbound_email_cancel,
    outbound_email_claim,
    outbound_email_create,
    outbound_email_deliver,
    outbound_email_failed,
    outbound_email_requeue,
    outbound_email_retry_later,
    outbound_email_revive,
    outbound_email_sending,
    outbound_email_sent,
    outbound_email_settle,
    outbound_email_task_set,
    unsubscribe_token_read,
    unsubscribe_url,
)
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import context_for, enrollment_state, version_spec
from ringback.playbooks.services import enrollment_lock_running

logger = logging.getLogger(__name__)

#: How often the scheduler looks for due email steps.
SCHEDULE_EVERY = timedelta(minutes=1)


class SendLater(Exception):
    """The mail server did not take an email this time; the task is tried again with back-off."""


def _email_step(enrollment: Enrollment) -> tuple[Step, str] | None:
    """The enrollment's current step and the idempotency key of its email, when it is at an
    email step (None otherwise)."""
    spec = version_spec(version=enrollment.version)
    state = enrollment_state(enrollment=enrollment)
    if state.ended or state.step >= len(spec.steps):
        return None
    step = spec.steps[state.step]
    if step.channel is not Channel.EMAIL:
        return None
    key = idempotency_key(
        enrollment_id=enrollment.pk, step_index=state.step, step_id=step.id, touches=state.touches
    )
    return step, key


def _reachable_by_email(account: Account, contact: Contact, now: datetime) -> str:
    """The address an email to ``contact`` may go to now; :class:`EmailStopped` says why none."""
    if contact.do_not_contact:
        raise EmailStopped(f"{contact.name} is marked do-not-contact")
    if contact.suppressed_until is not None and contact.suppressed_until > now:
        raise EmailStopped(f"{contact.name} said no; they are left alone for now")
    address, why = contact_email_to(account=account, contact=contact)
    if not address:
        raise EmailStopped(f"No email to {contact.name}: {why}", field="email")
    return address


@transaction.atomic
def email_step_queue(
    *, account: Account, contact: Contact, enrollment_id: int, manual: bool, now: datetime | None = None
) -> OutboundEmail:
    """Put the email of the contact's current step in the outbox, once, and start its sending.

    Its idempotency key (the step's visit of the enrollment) makes a second call, a double click
    or a second scheduler return the row already there. Refused with the reason: a step that is
    not an email step, or no longer current (:class:`AlreadyLogged`); no address, unsubscribed,
    bounced, do-not-contact (:class:`EmailStopped`); the account's daily cap reached
    (:class:`DailyCapReached`); and, unless the seller pressed Send (``manual``), a time outside
    the contact's hours, the seller's working days or on a holiday where they are (``InvalidInput``).
    """
    now = now or clock.now()
    account_lock(account=account)
    contact_lock(contact=contact)
    enrollment = enrollment_lock_running(contact=contact)
    if enrollment is None or enrollment.pk != enrollment_id or enrollment.status != EnrollmentStatus.ACTIVE:
        raise AlreadyLogged(
            f"{contact.name}'s plan has moved on: no email to send for it. Nothing was changed."
        )
    found = _email_step(enrollment)
    if found is None:
        raise AlreadyLogged(f"{contact.name}'s next step is not an email any more. Nothing was changed.")
    step, key = found
    existing = OutboundEmail.objects.filter(key=key).first()
    if existing is not None and not _revivable(existing):
        return existing
    address = _reachable_by_email(account, contact, now)
    if not manual:
        why = email_may_go(now, context_for(account=account, contact=contact))
        if why:
            raise InvalidInput(f"Not now for {contact.name}: {why}", field="at")
    today = now.astimezone(zone(account.time_zone)).date()
    start, end = day_bounds(account=account, day=today)
    counted = emails_counted_today(account=account, start=start, end=end)
    if counted >= account.email_daily_cap:
        raise DailyCapReached(
            f"Your daily email cap ({account.email_daily_cap}) is reached: {counted} emails today. "
            "The rest go out tomorrow; raise the cap in Settings to send more."
        )
    link = unsubscribe_url(account_id=account.pk, contact_id=contact.pk, address=address)
    filled = step_script_filled(account=account, enrollment=enrollment, now=now, unsubscribe_url=link)
    if filled.error:
        raise InvalidInput(filled.error, field="template")
    subject = filled.subject or f"A note from {account.seller_name or account.name}"
    if existing is not None:
        result = email_send.enqueue(existing.pk)
        body = body_with_footer(
            account=account, contact_id=contact.pk, address=existing.to_address, body=filled.text
        )
        if not outbound_email_revive(email=existing, subject=subject, body=body, task_id=str(result.id)):
            raise AlreadyLogged(f"That email to {contact.name} was settled meanwhile. Nothing was changed.")
        return existing
    row, created = outbound_email_create(
        account=account,
        contact=contact,
        enrollment=enrollment,
        step=step.id,
        key=key,
        to_address=address,
        subject=subject,
        body=filled.text,
        version=MessageVersion.objects.filter(pk=filled.version_id).first() if filled.version_id else None,
        template=enrollment_state(enrollment=enrollment).variant or "",
        manual=manual,
    )
    if created:
        result = email_send.enqueue(row.pk)
        outbound_email_task_set(email=row, task_id=str(result.id))
    return row


def _revivable(email: OutboundEmail) -> bool:
    """An email cancelled before it was ever handed over (its step was paused, then came back)."""
    return email.status == OutboxStatus.CANCELLED and email.sending_at is None


@dataclass(slots=True)
class QueueReport:
    """What a pass of the scheduler did: emails queued, held by the daily cap, not sent now."""

    queued: int = 0
    held: int = 0
    waiting: int = 0
    stopped: dict[int, str] = field(default_factory=dict)


def emails_queue_due(*, now: datetime | None = None, account: Account | None = None) -> QueueReport:
    """Queue every automatic email step that is due now (of every account, or of ``account``),
    each in its own transaction: one contact's problem does not hold the others back."""
    now = now or clock.now()
    due = (
        Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, due_start__lte=now)
        .filter(contact__do_not_contact=False)
        .filter(Q(contact__suppressed_until__isnull=True) | Q(contact__suppressed_until__lte=now))
        .select_related("version__playbook", "contact", "account")
        .order_by("due_start", "pk")
    )
    if account is not None:
        due = due.filter(account=account)
    wanted: list[tuple[Enrollment, str]] = []
    for enrollment in due.iterator(chunk_size=500):
        found = _email_step(enrollment)
        if found is not None and found[0].send is Send.AUTO:
            wanted.append((enrollment, found[1]))
    done = {
        email.key
        for email in OutboundEmail.objects.filter(key__in=[key for _, key in wanted]).only(
            "key", "status", "sending_at"
        )
        if not _revivable(email)
    }
    report = QueueReport()
    capped: set[int] = set()
    for enrollment, key in wanted:
        if key in done:
            continue
        if enrollment.account_id in capped:
            report.held += 1
            continue
        try:
            email_step_queue(
                account=enrollment.account,
                contact=enrollment.contact,
                enrollment_id=enrollment.pk,
                manual=False,
                now=now,
            )
            report.queued += 1
        except DailyCapReached:
            capped.add(enrollment.account_id)
            report.held += 1
        except EmailStopped as exc:
            report.stopped[enrollment.pk] = exc.message
        except AlreadyLogged:
            continue
        except RingbackError:
            report.waiting += 1
    return report


def _still_wanted(email: OutboundEmail) -> str:
    """Why ``email`` should no longer go ("" when it should): the plan moved on, they asked for
    no more email, or are marked do-not-contact. The contact is locked by the caller."""
    contact = email.contact
    try:
        address = _reachable_by_email(email.account, contact, clock.now())
    except EmailStopped as exc:
        return exc.message
    if address.lower() != email.to_address.lower():
        return f"{email.to_address} may no longer be written to"
    if email.enrollment_id is None:
        return ""
    enrollment = enrollment_lock_running(contact=contact)
    found = (
        _email_step(enrollment) if enrollment is not None and enrollment.pk == email.enrollment_id else None
    )
    if enrollment is None or found is None or found[1] != email.key:
        return "the plan moved on before it went (they answered, or the step was done another way)"
    if enrollment.status != EnrollmentStatus.ACTIVE:
        return (
            f"their playbook is paused{': ' + enrollment.paused_reason if enrollment.paused_reason else ''}"
        )
    return ""


def outbound_email_send(*, pk: int, worker_id: str, attempt: int, max_attempts: int) -> str:
    """Send outbox email ``pk`` once; what became of it ("sent", "queued" for a retry...).

    1. With the contact locked: cancel it if the plan no longer wants it, else claim it.
    2. Record "sending" (committed): from here a crash leaves it ``unknown``, never retried.
    3. Hand it to the mail server. A refusal for good marks it failed; another failure puts it
       back in the queue and raises :class:`SendLater` (the task is retried with back-off)
       until attempt ``max_attempts``, which marks it failed.
    4. Mark it sent and log the touch that completes the step, in one transaction.
    """
    with transaction.atomic():
        row = OutboundEmail.objects.select_related("contact", "account").filter(pk=pk).first()
        if row is None:
            return "gone"
        if row.status in (OutboxStatus.QUEUED, OutboxStatus.CLAIMED):
            contact_lock(contact=row.contact)
            why = _still_wanted(row)
            if why:
                outbound_email_cancel(email=row, reason=why)
                return OutboxStatus.CANCELLED.value
        email = outbound_email_claim(pk=pk, worker_id=worker_id)
    if email is None or not outbound_email_sending(email=email):
        return OutboundEmail.objects.filter(pk=pk).values_list("status", flat=True).first() or "gone"
    try:
        outbound_email_deliver(email=email)
    except Exception as exc:  # whatever the backend raises: classified, never lost
        text = smtp_error_text(exc)
        if smtp_verdict(exc) is SmtpVerdict.REFUSED or attempt >= max_attempts:
            outbound_email_failed(email=email, error=text)
            logger.warning("email %s failed for good: %s", email.pk, text)
            return OutboxStatus.FAILED.value
        outbound_email_retry_later(email=email, error=text)
        raise SendLater(f"email {email.pk}: {text}; tried again later") from exc
    sent_at = clock.now()
    with transaction.atomic():
        contact_lock(contact=email.contact)
        if outbound_email_sent(email=email, at=sent_at):
            _email_touch(email, at=sent_at)
    return OutboxStatus.SENT.value


def _email_touch(email: OutboundEmail, *, at: datetime) -> Touch:
    """Log the email that went out: the touch that completes its step when the plan is still at
    it, else a touch on the timeline alone. The contact is locked by the caller."""
    note = f"Email sent: {email.subject}"
    if email.enrollment_id is not None:
        enrollment = enrollment_lock_running(contact=email.contact)
        found = (
            _email_step(enrollment)
            if enrollment is not None and enrollment.pk == email.enrollment_id
            else None
        )
        if found is not None and found[1] == email.key:
            return touch_log(
                account=email.account,
                contact=email.contact,
                outcome=Outcome.EMAILED,
                at=at,
                note=note,
                template=email.template or None,
            )
    touch = Touch(
        account=email.account,
        contact=email.contact,
        enrollment_id=email.enrollment_id,
        step=email.step,
        channel=TouchChannel.EMAIL,
        direction=Direction.OUT,
        outcome=TouchOutcome.EMAILED,
        template=email.template,
        message_version_id=email.message_version_id,
        note=note,
        at=at,
        created_at=clock.now(),
        before={"contact": contact_snapshot(contact=email.contact)},
    )
    touch.save()
    return touch


#: The seller's decisions on an email that failed or may have gone.
DECISIONS = {
    "sent": "It went: log it as sent",
    "resend": "Send it again",
    "drop": "Don't send it",
}


def outbound_email_decide(*, account: Account, pk: int, decision: str) -> OutboundEmail:
    """The seller's decision on a failed or unknown email of theirs (see :data:`DECISIONS`).

    "sent" (only for one that may have gone) logs it like a sent email; "resend" queues it again
    with a new task, if it may still be sent; "drop" settles it unsent, leaving its step on the
    agenda. Raises :class:`OutboxMoveRefused` when it is no longer waiting for a decision (another
    tab decided first), :class:`NotFound` for another account's email.
    """
    if decision not in DECISIONS:
        raise InvalidInput(f"{decision!r} is not one of {', '.join(DECISIONS)}", field="decision")
    email = outbound_email_get(account=account, pk=pk)
    with transaction.atomic():
        contact_lock(contact=email.contact)
        email.refresh_from_db()
        if decision == "sent":
            if email.status != OutboxStatus.UNKNOWN:
                raise OutboxMoveRefused("Only an email that may have gone can be marked sent.")
            if outbound_email_settle(email=email, to=OutboxStatus.SENT, reason="marked sent by you"):
                _email_touch(email, at=email.sent_at or clock.now())
                return email
        elif decision == "drop":
            if outbound_email_settle(email=email, to=OutboxStatus.CANCELLED, reason="dropped by you"):
                return email
        else:
            why = _still_wanted(email)
            if why:
                raise EmailStopped(f"Not sent again: {why}")
            if email.status in (OutboxStatus.FAILED, OutboxStatus.UNKNOWN):
                result = email_send.enqueue(email.pk)
                if outbound_email_requeue(email=email, task_id=str(result.id)):
                    return email
    raise OutboxMoveRefused(f"That email is {email.get_status_display().lower()} now; nothing was changed.")


# --- unsubscribing -------------------------------------------------------------------------------


class UnsubscribeRefused(RingbackError):
    """An unsubscribe link Ringback did not sign (cut short, altered, made up)."""


def _unsubscribe_target(token: str) -> tuple[Account, Contact | None, str]:
    read = unsubscribe_token_read(token)
    account = Account.objects.filter(pk=read[0]).first() if read else None
    if read is None or account is None:
        raise UnsubscribeRefused("this link is not valid", field="token")
    contact = Contact.objects.filter(account=account, pk=read[1]).first()
    return account, contact, read[2]


def unsubscribe_preview(*, token: str) -> tuple[str, str]:
    """Who sends and to which address the link's token names, to ask before unsubscribing;
    :class:`UnsubscribeRefused` for a token Ringback did not sign."""
    account, _contact, address = _unsubscribe_target(token)
    return account.seller_name or account.name, address


@transaction.atomic
def email_unsubscribe(*, token: str, via: str) -> tuple[str, str]:
    """Unsubscribe the address an unsubscribe link names, at once and for good: no email goes to
    it from the account any more (emails already queued are cancelled when their turn comes), and
    the contact's timeline says so. Once: a second click changes nothing. Returns who sent and
    the address; :class:`UnsubscribeRefused` for a token Ringback did not sign (nothing changes)."""
    account, contact, address = _unsubscribe_target(token)
    if contact is not None:
        contact_lock(contact=contact)
    _suppression, made = email_suppress(
        account=account,
        address=address,
        reason=SuppressionReason.UNSUBSCRIBED,
        detail="one-click unsubscribe from a mail client" if via == "one-click" else "unsubscribe link",
        contact=contact,
    )
    if made and contact is not None:
        now = clock.now()
        Touch(
            account=account,
            contact=contact,
            channel=TouchChannel.EMAIL,
            direction=Direction.IN,
            outcome=TouchOutcome.NOTE,
            note=f"Unsubscribed {address} from your emails"
            + (" (one click, from their mail app)" if via == "one-click" else " (the link in your email)"),
            at=now,
            created_at=now,
            before={"contact": contact_snapshot(contact=contact)},
        ).save()
    return account.seller_name or account.name, address


# --- the background tasks -----------------------------------------------------------------------


@background(
    max_attempts=ringback_setting("EMAIL_ATTEMPTS"),
    base_seconds=ringback_setting("EMAIL_RETRY_SECONDS"),
    cap_seconds=3600,
    takes_context=True,
)
def email_send(context: TaskContext, email_id: int) -> str:
    """Send one outbox email (see :func:`outbound_email_send`)."""
    result = context.task_result
    worker = result.worker_ids[-1] if result.worker_ids else "worker"
    return outbound_email_send(
        pk=email_id,
        worker_id=worker,
        attempt=context.attempt,
        max_attempts=ringback_setting("EMAIL_ATTEMPTS"),
    )


@every(SCHEDULE_EVERY, name="emails-queue-due")
@background()
def emails_schedule() -> dict[str, int]:
    """Queue the email steps that are due (see :func:`emails_queue_due`)."""
    report = emails_queue_due()
    return {
        "queued": report.queued,
        "held": report.held,
        "waiting": report.waiting,
        "stopped": len(report.stopped),
    }
