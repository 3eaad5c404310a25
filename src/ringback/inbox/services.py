"""Reading the seller's IMAP mailbox: a reply stops the chase, an out-of-office pauses it, a bounce
marks the address bad, the rest is left alone.

The mailbox is opened read-only (EXAMINE) and read with ``BODY.PEEK``: nothing is deleted, moved
or marked read. Each message is read once: the row that records it (unique by account,
UIDVALIDITY and UID) is written first, in the same transaction as what it does and as the
mailbox's progress, so a poll cut short reads the rest next time and a second poll at the same
moment skips what the first took. Only the headers and the first 64 KB of a message are fetched:
a 20 MB attachment is never downloaded.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message

from django.db import IntegrityError, transaction

from ringback.accounts.choices import MailboxSecurity
from ringback.accounts.models import Account, Mailbox, Membership
from ringback.accounts.services import mailbox_checked, mailbox_read_to, mailbox_start
from ringback.activities.choices import Channel as TouchChannel
from ringback.activities.choices import Direction
from ringback.activities.choices import Outcome as TouchOutcome
from ringback.activities.models import Touch
from ringback.activities.services import touch_log
from ringback.config import ringback_setting
from ringback.contacts.choices import SuppressionReason
from ringback.contacts.models import Contact, Email
from ringback.contacts.selectors import contact_snapshot, contact_zone
from ringback.contacts.services import contact_lock, email_suppress
from ringback.core import clock
from ringback.core.inbound import Inbound, InboundKind, read_inbound
from ringback.core.scheduling import zone
from ringback.hooks.choices import WebhookEvent
from ringback.hooks.services import webhook_event_emit
from ringback.inbox.models import InboundMessage
from ringback.outbox.models import OutboundEmail
from ringback.outbox.services import sender_address
from ringback.playbooks.selectors import enrollment_snapshot
from ringback.playbooks.services import enrollment_lock_running, enrollment_pause_until

logger = logging.getLogger(__name__)

#: The most of a message's text fetched (its headers come whole).
TEXT_BYTES = 65_536
#: Seconds to wait for the IMAP server.
TIMEOUT = 30
#: Messages read in one poll at most (the rest in the next).
POLL_LIMIT = 500


@dataclass(slots=True)
class PollReport:
    """What a poll read and did, or why it could not."""

    read: int = 0
    replies: int = 0
    paused: int = 0
    bounced: int = 0
    ignored: int = 0
    error: str = ""


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


def _imap_error(exc: BaseException) -> str:
    """An IMAP library error as one sentence for the seller."""
    text = " ".join(_text(exc.args[0] if exc.args else exc).split())
    return text[:300] or type(exc).__name__


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    """A logged-in connection to the mailbox's server; raises what imaplib and ssl raise."""
    context = ssl.create_default_context()
    client: imaplib.IMAP4
    if mailbox.security == MailboxSecurity.SSL:
        client = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
        if mailbox.security == MailboxSecurity.STARTTLS:
            client.starttls(context)
    try:
        client.login(mailbox.username, mailbox.password)
    except imaplib.IMAP4.error:
        _logout(client)
        raise
    return client


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError):
        logger.debug("the IMAP connection was already closed")


def _untagged_int(client: imaplib.IMAP4, name: str) -> int | None:
    values = client.untagged_responses.get(name) or []
    for value in values:
        found = re.search(rb"\d+", value if isinstance(value, bytes) else str(value).encode())
        if found:
            return int(found.group())
    return None


def _uids(client: imaplib.IMAP4, criteria: str) -> list[int]:
    typ, data = client.uid("SEARCH", criteria)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"the server refused to search the folder: {_text(data)}")
    return sorted(
        {int(token) for chunk in data if chunk for token in _text(chunk).split() if token.isdigit()}
    )


#: Messages fetched in one FETCH command.
FETCH_BATCH = 100


def _fetch(client: imaplib.IMAP4, uids: list[int]) -> dict[int, Message]:
    """The headers and the first :data:`TEXT_BYTES` of the text of messages ``uids``, parsed,
    by UID (never marked read); a message the server no longer has is left out."""
    wanted = ",".join(str(uid) for uid in uids)
    typ, data = client.uid("FETCH", wanted, f"(UID BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.{TEXT_BYTES}>)")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"the server refused to fetch messages: {_text(data)}")
    parts: dict[int, dict[str, bytes]] = {}
    current: dict[str, bytes] = {}
    for item in data:
        label = item[0] if isinstance(item, tuple) else item
        if not isinstance(label, bytes):
            continue
        if re.match(rb"^\d+ \(", label):  # "7 (UID 12 BODY[HEADER] {..}": a new message begins
            current = {}
        found = re.search(rb"UID (\d+)", label)
        if found:
            parts[int(found.group(1))] = current
        if isinstance(item, tuple) and len(item) >= 2:
            if b"BODY[HEADER]" in label:
                current["header"] = item[1]
            elif b"BODY[TEXT]" in label:
                current["text"] = item[1]
    messages = {}
    for uid, found_parts in parts.items():
        if found_parts.get("header"):
            # compat32: a broken header is kept as text instead of raising when it is read.
            raw = found_parts["header"] + found_parts.get("text", b"")
            messages[uid] = message_from_bytes(raw, policy=email_policy.compat32)
    return messages


def _own_addresses(account: Account, mailbox: Mailbox) -> frozenset[str]:
    """The seller's own addresses: their mail copied into the inbox is never a reply."""
    own = {sender_address(account=account).lower(), account.email_from.lower()}
    own |= {
        e.lower() for e in Membership.objects.filter(account=account).values_list("user__email", flat=True)
    }
    if "@" in mailbox.username:
        own.add(mailbox.username.lower())
    return frozenset(a for a in own if a)


def _match(account: Account, inbound: Inbound) -> tuple[Contact | None, OutboundEmail | None, str]:
    """The account's contact a message is from or about, the email of theirs it answers, and how
    it was found: by a Message-ID the account sent (never another account's), else by the sender's
    address among the account's contacts."""
    if inbound.answers:
        sent = {
            e.message_id: e
            for e in OutboundEmail.objects.filter(
                account=account, message_id__in=list(inbound.answers)[:50]
            ).select_related("contact")
        }
        for answered in inbound.answers:
            if answered in sent:
                return sent[answered].contact, sent[answered], "message-id"
    if inbound.sender and inbound.kind is not InboundKind.BOUNCE:
        email = (
            Email.objects.filter(account=account, address__iexact=inbound.sender)
            .select_related("contact")
            .order_by("-contact__last_touched_at", "pk")
            .first()
        )
        if email is not None:
            last = (
                OutboundEmail.objects.filter(account=account, contact=email.contact).order_by("-pk").first()
            )
            return email.contact, last, "sender"
    return None, None, ""


def _at(inbound: Inbound, now: datetime) -> datetime:
    """When they wrote: the message's date when it is a believable past one, else now."""
    sent = inbound.sent_at
    if sent is not None and now - timedelta(days=30) <= sent <= now:
        return sent
    return now


def _note(account: Account, contact: Contact, text: str, before: dict[str, object], at: datetime) -> Touch:
    """A line on the contact's timeline about something that came by email."""
    touch = Touch(
        account=account,
        contact=contact,
        channel=TouchChannel.EMAIL,
        direction=Direction.IN,
        outcome=TouchOutcome.NOTE,
        note=text[:2000],
        at=at,
        created_at=clock.now(),
        before=before,
    )
    touch.save()
    return touch


def _out_of_office(account: Account, contact: Contact, inbound: Inbound, now: datetime) -> str:
    """Pause the contact's playbook until they are back (calls, cards and emails alike)."""
    tz = contact_zone(contact=contact, account=account)
    if inbound.back_on is not None:
        until = datetime.combine(inbound.back_on, time(0), tz)
        said = f"back on {inbound.back_on:%a %-d %b}"
    else:
        days = int(ringback_setting("OUT_OF_OFFICE_DAYS"))
        until = now + timedelta(days=days)
        said = f"no return date given: {days} days"
    enrollment = enrollment_lock_running(contact=contact)
    before: dict[str, object] = {
        "contact": contact_snapshot(contact=contact),
        "enrollment": enrollment_snapshot(enrollment=enrollment) if enrollment else None,
    }
    if enrollment is None:
        _note(account, contact, f"Out of office ({said}); no playbook was running", before, now)
        return f"out of office ({said}); no playbook to pause"
    enrollment_pause_until(enrollment=enrollment, until=until, reason=f"out of office, {said}")
    _note(
        account,
        contact,
        f"Out of office ({said}): their playbook waits until {until.astimezone(tz):%a %-d %b} — calls, cards and emails",
        before,
        now,
    )
    return f"paused until {until.astimezone(tz):%a %-d %b}"


def _bounce(account: Account, inbound: Inbound, answered: OutboundEmail | None, now: datetime) -> str:
    """Mark the bounced address bad: no more email to it (only an address the account wrote to)."""
    address = inbound.bounced or (answered.to_address if answered else "")
    sent_to = OutboundEmail.objects.filter(account=account, to_address__iexact=address)
    email = answered if answered is not None and answered.to_address.lower() == address else sent_to.first()
    if not address or email is None:
        return "a bounce of no email Ringback sent: left alone"
    contact = email.contact
    contact_lock(contact=contact)
    _suppression, made = email_suppress(
        account=account,
        address=address,
        reason=SuppressionReason.BOUNCED,
        detail=inbound.diagnostic or "the mail server returned it",
        contact=contact,
    )
    if made:
        _note(
            account,
            contact,
            f"Email to {address} bounced ({inbound.diagnostic or 'returned by their mail server'}): "
            "no more email goes to it",
            {"contact": contact_snapshot(contact=contact)},
            now,
        )
    return f"{address} marked bad"


def _apply(
    account: Account, inbound: Inbound, report: PollReport
) -> tuple[Contact | None, OutboundEmail | None, str, str]:
    """Do what a message means; its contact, the email it answers, how they were matched, and
    what was done in words."""
    now = clock.now()
    contact, answered, matched_by = _match(account, inbound)
    if inbound.kind is InboundKind.BOUNCE:
        report.bounced += 1
        return contact, answered, matched_by, _bounce(account, inbound, answered, now)
    if inbound.kind is InboundKind.OWN:
        report.ignored += 1
        return None, None, "", "your own mail: left alone"
    if contact is None:
        report.ignored += 1
        return None, None, "", "not from one of your contacts: left alone"
    if inbound.kind is InboundKind.AUTO_REPLY:
        report.ignored += 1
        return contact, answered, matched_by, "an automatic answer: the chase goes on"
    contact_lock(contact=contact)
    if inbound.kind is InboundKind.OUT_OF_OFFICE:
        report.paused += 1
        return contact, answered, matched_by, _out_of_office(account, contact, inbound, now)
    touch = touch_log(
        account=account,
        contact=contact,
        outcome="callback",
        via="email",
        at=_at(inbound, now),
        note=inbound.first_lines or f"(they replied: {inbound.subject})",
    )
    webhook_event_emit(
        account=account,
        event=WebhookEvent.REPLY_RECEIVED,
        data={
            "touch_id": touch.pk,
            "contact_id": contact.pk,
            "contact_name": contact.name,
            "at": touch.at,
            "from": inbound.sender,
            "subject": inbound.subject,
            "message_id": inbound.message_id,
            "first_lines": inbound.first_lines,
        },
    )
    report.replies += 1
    return contact, answered, matched_by, "logged their reply: the chase stops, call them back"


def inbound_message_read(
    *,
    account: Account,
    mailbox: Mailbox,
    uidvalidity: int,
    uid: int,
    message: Message,
    report: PollReport,
    own: frozenset[str] | None = None,
) -> InboundMessage | None:
    """Read one message of the mailbox, once (see the module's docstring); None when it was
    read before (by this poll's predecessor or one running at the same moment). ``own`` are the
    seller's addresses (looked up when not given)."""
    today = clock.now().astimezone(zone(account.time_zone)).date()
    own = own if own is not None else _own_addresses(account, mailbox)
    inbound = read_inbound(message, own_addresses=own, today=today)
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                account=account,
                uidvalidity=uidvalidity,
                uid=uid,
                message_id=inbound.message_id[:255],
                kind=inbound.kind.value,
                sender=inbound.sender[:254],
                subject=inbound.subject[:300],
                first_lines=inbound.first_lines[:400],
                read_at=clock.now(),
            )
            again = bool(inbound.message_id) and (
                InboundMessage.objects.filter(account=account, message_id=inbound.message_id[:255])
                .exclude(pk=row.pk)
                .exists()
            )
            if again:
                contact, answered, matched_by, effect = (
                    None,
                    None,
                    "",
                    "read before (the same Message-ID): left alone",
                )
                report.ignored += 1
            else:
                contact, answered, matched_by, effect = _apply(account, inbound, report)
            row.contact, row.answered, row.matched_by, row.effect = (
                contact,
                answered,
                matched_by,
                effect[:300],
            )
            row.save(update_fields=["contact", "answered", "matched_by", "effect"])
            mailbox_read_to(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid)
    except IntegrityError:
        return None
    report.read += 1
    return row


def inbox_poll(*, account: Account, limit: int = POLL_LIMIT) -> PollReport:
    """Read what arrived in the account's mailbox since the last poll. A server that can't be
    reached or a login that fails is recorded on the mailbox (Settings shows it) and returned in
    the report; it raises nothing, so a worker carries on with its other work."""
    report = PollReport()
    mailbox = Mailbox.objects.filter(account=account, enabled=True).first()
    if mailbox is None:
        report.error = "no mailbox is set: add it in Settings, under Replies"
        return report
    try:
        client = _connect(mailbox)
    except imaplib.IMAP4.error as exc:
        report.error = f"the login to {mailbox.host} failed: {_imap_error(exc)}"
    except OSError as exc:  # ssl.SSLError and time-outs are OSErrors too
        report.error = f"could not reach {mailbox.host}:{mailbox.port}: {exc.strerror or exc}"
    if report.error:
        mailbox_checked(mailbox=mailbox, error=report.error)
        return report
    try:
        _read_new(client, account, mailbox, report, limit)
    except (TimeoutError, imaplib.IMAP4.error, OSError) as exc:
        report.error = f"reading {mailbox.folder} on {mailbox.host} failed: {_imap_error(exc)}"
    finally:
        _logout(client)
    mailbox_checked(mailbox=mailbox, error=report.error)
    return report


def _read_new(
    client: imaplib.IMAP4, account: Account, mailbox: Mailbox, report: PollReport, limit: int
) -> None:
    typ, data = client.select(_quoted(mailbox.folder), readonly=True)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"there is no folder {mailbox.folder!r}: {_text(data)}")
    uidvalidity = _untagged_int(client, "UIDVALIDITY")
    uidnext = _untagged_int(client, "UIDNEXT")
    if uidvalidity is None:
        raise imaplib.IMAP4.error("the server gave no UIDVALIDITY")
    if mailbox.uidvalidity is None:
        # A new mailbox: start with what arrives from now on.
        mailbox_start(mailbox=mailbox, uidvalidity=uidvalidity, next_uid=uidnext or 1)
        return
    if mailbox.uidvalidity != uidvalidity:
        # The folder was rebuilt: its UIDs mean nothing any more. Read what arrived since the
        # last check; messages read before are known by their Message-ID.
        since = (mailbox.checked_at or clock.now()) - timedelta(days=1)
        uids = _uids(client, f"SINCE {since:%d-%b-%Y}")
        mailbox_start(mailbox=mailbox, uidvalidity=uidvalidity, next_uid=1)
    else:
        uids = [uid for uid in _uids(client, f"UID {mailbox.last_uid + 1}:*") if uid > mailbox.last_uid]
    uids = uids[:limit]
    own = _own_addresses(account, mailbox)
    for start in range(0, len(uids), FETCH_BATCH):
        batch = uids[start : start + FETCH_BATCH]
        messages = _fetch(client, batch)
        for uid in batch:
            if uid in messages:
                inbound_message_read(
                    account=account,
                    mailbox=mailbox,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    message=messages[uid],
                    report=report,
                    own=own,
                )


def _quoted(folder: str) -> str:
    """A folder name as an IMAP quoted string."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def inboxes_poll() -> dict[str, int]:
    """Poll every mailbox that is set (one account's failure does not stop the others)."""
    totals = {"mailboxes": 0, "read": 0, "errors": 0}
    for account in Account.objects.filter(mailbox__enabled=True):
        report = inbox_poll(account=account)
        totals["mailboxes"] += 1
        totals["read"] += report.read
        totals["errors"] += bool(report.error)
    return totals
