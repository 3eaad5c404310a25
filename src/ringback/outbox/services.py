"""Writes of the outbox: making a row, the guarded moves of its state machine, handing a message
to the mail server, and the seller's decisions about the ones that failed or may have gone.

Every move is an ``UPDATE ... WHERE status = <the state it comes from>``: of two workers, or a
worker and the seller, making a move at once, one wins (one row updated) and the other learns it
lost (none). See :mod:`ringback.core.outbox` for the states and why ``unknown`` is never retried.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse

from ringback.accounts.models import Account, Membership
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.core.errors import ErrorCode, InvalidInput, RingbackError
from ringback.core.outbox import OutboxStatus, can_move, message_id
from ringback.messaging.models import MessageVersion
from ringback.outbox.models import OutboundEmail
from ringback.playbooks.models import Enrollment

#: Salt of the unsubscribe links' signatures (a link signed for anything else is not one).
UNSUBSCRIBE_SALT = "ringback.outbox.unsubscribe"


class OutboxMoveRefused(RingbackError):
    """The email is no longer in a state that allows what was asked (someone acted first)."""

    code = ErrorCode.INVALID_INPUT


def unsubscribe_token(*, account_id: int, contact_id: int, address: str) -> str:
    """The signed token of an unsubscribe link: who (account, contact) and which address, with
    a signature made with the server's secret key, so it can't be guessed or altered."""
    return signing.dumps([account_id, contact_id, address.lower()], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, int, str] | None:
    """What a token names (account id, contact id, address), or None for a token that is not
    one Ringback signed (malformed, altered, truncated)."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value[:2])
        or not isinstance(value[2], str)
    ):
        return None
    return value[0], value[1], value[2]


def unsubscribe_url(*, account_id: int, contact_id: int, address: str) -> str:
    """The absolute unsubscribe link for ``address`` (on ``RINGBACK_PUBLIC_URL``)."""
    token = unsubscribe_token(account_id=account_id, contact_id=contact_id, address=address)
    return settings.PUBLIC_URL + reverse("unsubscribe", kwargs={"token": token})


def sender_address(*, account: Account) -> str:
    """The seller's From address: the account's email setting, else its owner's login email,
    else the server's ``RINGBACK_EMAIL_FROM``."""
    if account.email_from:
        return account.email_from
    owner = Membership.objects.filter(account=account).exclude(user__email="").select_related("user").first()
    if owner is not None:
        return str(owner.user.email)
    return parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1] or "ringback@localhost"


def _domain(address: str) -> str:
    """The domain of an address ("Ringback <x@host>" gives host), for Message-IDs."""
    bare = address.rsplit("<", 1)[-1].rstrip(">")
    return bare.rsplit("@", 1)[-1] or "localhost"


def footer(*, account: Account, unsubscribe: str, body: str = "") -> str:
    """What an email must end with and ``body`` lacks: who sent it and the seller's postal
    address (CAN-SPAM), and the unsubscribe link ("" when the body has both already)."""
    postal = [line.strip() for line in account.postal_address.splitlines() if line.strip()]
    lines: list[str] = []
    if postal and postal[0] not in body:
        lines.append(account.seller_name or account.name)
        if account.business_name:
            lines.append(account.business_name)
        lines.extend(postal)
    if unsubscribe not in body:
        lines.append(f"To get no more emails from me: {unsubscribe}")
    return "\n-- \n" + "\n".join(lines) + "\n" if lines else ""


def body_with_footer(*, account: Account, contact_id: int, address: str, body: str) -> str:
    """``body`` as sent: with the footer it lacks (see :func:`footer`)."""
    link = unsubscribe_url(account_id=account.pk, contact_id=contact_id, address=address)
    return body.rstrip() + "\n" + footer(account=account, unsubscribe=link, body=body)


def outbound_email_create(
    *,
    account: Account,
    contact: Contact,
    enrollment: Enrollment | None,
    step: str,
    key: str,
    to_address: str,
    subject: str,
    body: str,
    version: MessageVersion | None,
    template: str,
    manual: bool,
) -> tuple[OutboundEmail, bool]:
    """The outbox row of idempotency ``key``, made now (queued) unless it exists; and whether
    this call made it. The footer (postal address, unsubscribe link) is added to ``body`` here,
    so what is stored is what is sent. Safe against a second caller at the same moment: the
    unique key makes one of them find the other's row."""
    existing = OutboundEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    now = clock.now()
    sender = sender_address(account=account)
    row = OutboundEmail(
        account=account,
        contact=contact,
        enrollment=enrollment,
        step=step,
        key=key,
        message_id=message_id(key=key, secret=settings.SECRET_KEY, domain=_domain(sender)),
        message_version=version,
        template=template,
        to_address=to_address,
        from_address=formataddr((account.seller_name or account.name, sender)),
        subject=subject,
        body=body_with_footer(account=account, contact_id=contact.pk, address=to_address, body=body),
        manual=manual,
        queued_at=now,
        created_at=now,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return OutboundEmail.objects.get(key=key), False
    return row, True


def _move(
    email: OutboundEmail,
    *,
    was: OutboxStatus | tuple[OutboxStatus, ...],
    to: OutboxStatus,
    worker: str = "",
    never_sent: bool = False,
    **fields: object,
) -> bool:
    """Move ``email`` from one of ``was`` to ``to`` if it is still there (and still claimed by
    ``worker``, and never handed over when ``never_sent``); whether it moved."""
    sources = (was,) if isinstance(was, OutboxStatus) else was
    assert all(can_move(source, to) for source in sources), f"{sources} -> {to}"
    query = OutboundEmail.objects.filter(pk=email.pk, status__in=[s.value for s in sources])
    if worker:
        query = query.filter(worker_id=worker)
    if never_sent:
        query = query.filter(sending_at__isnull=True)
    moved = query.update(status=to.value, **fields) == 1
    if moved:
        email.status = to.value
        for name, value in fields.items():
            setattr(email, name, value)
    return moved


def outbound_email_claim(*, pk: int, worker_id: str) -> OutboundEmail | None:
    """Take email ``pk`` to send it, for the task that sends it: from ``queued``, or from
    ``claimed`` (the same task's earlier attempt died before handing it over, so it did not go).

    One found in ``sending`` was being handed over when its worker died: it may have gone, so it
    becomes ``unknown`` and this returns None, as for one already settled or another's.
    """
    email = OutboundEmail.objects.filter(pk=pk).first()
    if email is None:
        return None
    now = clock.now()
    if email.status == OutboxStatus.SENDING:
        _move(
            email,
            was=OutboxStatus.SENDING,
            to=OutboxStatus.UNKNOWN,
            settled_at=now,
            last_error="the worker sending it stopped while handing it to the mail server; it may have gone",
        )
        return None
    claimed = _move(
        email,
        was=(OutboxStatus.QUEUED, OutboxStatus.CLAIMED),
        to=OutboxStatus.CLAIMED,
        worker_id=worker_id,
        claimed_at=now,
        attempts=email.attempts + 1,
    )
    return email if claimed else None


def outbound_email_cancel(*, email: OutboundEmail, reason: str) -> bool:
    """Settle a queued or claimed email unsent, saying why (the plan moved on, they
    unsubscribed...); whether it was still cancellable."""
    return _move(
        email,
        was=(OutboxStatus.QUEUED, OutboxStatus.CLAIMED),
        to=OutboxStatus.CANCELLED,
        reason=reason[:300],
        settled_at=clock.now(),
    )


def outbound_email_sending(*, email: OutboundEmail) -> bool:
    """Record, and commit, that the claiming worker is about to hand the email over: from now
    on a crash leaves it ``unknown``. False when the claim was lost."""
    return _move(
        email,
        was=OutboxStatus.CLAIMED,
        to=OutboxStatus.SENDING,
        sending_at=clock.now(),
        worker=email.worker_id,
    )


def outbound_email_deliver(*, email: OutboundEmail) -> None:
    """Hand the email to the mail server through Django's email backend (``RINGBACK_EMAIL_*``),
    with its fixed Message-ID and the one-click unsubscribe headers (RFC 8058). Raises what the
    backend raises when the server does not take it."""
    link = unsubscribe_url(account_id=email.account_id, contact_id=email.contact_id, address=email.to_address)
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=email.from_address,
        to=[email.to_address],
        reply_to=[email.from_address],
        headers={
            "Message-ID": email.message_id,
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=get_connection(fail_silently=False),
    )
    message.send(fail_silently=False)


def outbound_email_sent(*, email: OutboundEmail, at: datetime) -> bool:
    """Record that the server took the email; False if it was no longer ``sending`` (it was
    settled meanwhile, e.g. marked unknown after a stall)."""
    return _move(
        email, was=OutboxStatus.SENDING, to=OutboxStatus.SENT, sent_at=at, settled_at=at, last_error=""
    )


def outbound_email_retry_later(*, email: OutboundEmail, error: str) -> bool:
    """The server did not take it and may next time: back in the queue, the error kept."""
    return _move(
        email, was=OutboxStatus.SENDING, to=OutboxStatus.QUEUED, last_error=error[:600], worker_id=""
    )


def outbound_email_failed(*, email: OutboundEmail, error: str) -> bool:
    """The server refused it for good, or every try was used: failed, shown to the seller."""
    return _move(
        email,
        was=(OutboxStatus.SENDING, OutboxStatus.CLAIMED, OutboxStatus.QUEUED),
        to=OutboxStatus.FAILED,
        last_error=error[:600],
        settled_at=clock.now(),
    )


def outbound_email_requeue(*, email: OutboundEmail, task_id: str) -> bool:
    """The seller's "send it again" on a failed or unknown email: queued, for task ``task_id``."""
    return _move(
        email,
        was=(OutboxStatus.FAILED, OutboxStatus.UNKNOWN),
        to=OutboxStatus.QUEUED,
        task_id=task_id,
        worker_id="",
        queued_at=clock.now(),
        settled_at=None,
        reason="",
    )


def outbound_email_revive(*, email: OutboundEmail, subject: str, body: str, task_id: str) -> bool:
    """Queue again an email cancelled before it was ever handed to the mail server (its step was
    paused, then came back), with its words filled in afresh; never one that may have gone."""
    return _move(
        email,
        was=OutboxStatus.CANCELLED,
        to=OutboxStatus.QUEUED,
        subject=subject,
        body=body,
        task_id=task_id,
        worker_id="",
        queued_at=clock.now(),
        settled_at=None,
        reason="",
        last_error="",
        never_sent=True,
    )


def outbound_email_settle(*, email: OutboundEmail, to: OutboxStatus, reason: str = "") -> bool:
    """The seller's decision on an email that may have gone (``unknown``): it went (``sent``), or
    on one that failed or may have gone: drop it (``cancelled``)."""
    if to not in (OutboxStatus.SENT, OutboxStatus.CANCELLED):
        raise InvalidInput(f"an email can be settled as sent or cancelled, not {to.value}")
    now = clock.now()
    if to is OutboxStatus.SENT:
        return _move(
            email,
            was=OutboxStatus.UNKNOWN,
            to=to,
            settled_at=now,
            reason=reason[:300],
            sent_at=email.sending_at or now,
        )
    return _move(
        email, was=(OutboxStatus.FAILED, OutboxStatus.UNKNOWN), to=to, settled_at=now, reason=reason[:300]
    )


def outbound_email_task_set(*, email: OutboundEmail, task_id: str) -> None:
    """Remember the background task that sends ``email``."""
    OutboundEmail.objects.filter(pk=email.pk).update(task_id=task_id)
    email.task_id = task_id
