"""Writes to the message library: install and upgrade the starter messages, add and edit
messages (each edit a new version), add and edit offers."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ringback.accounts.models import Account
from ringback.core import clock
from ringback.core.checks import MessageKind
from ringback.core.errors import InvalidInput, TemplateError
from ringback.core.messages import (
    builtin_messages,
    builtin_offers,
    message_check,
    message_name_check,
)
from ringback.core.playbook import offer_days_problem
from ringback.messaging.models import Message, MessageAdvice, MessageVersion, Offer
from ringback.messaging.selectors import message_latest_version

MAX_TITLE_CHARS = 200
MAX_DETAILS_CHARS = 1_000


class MessageChanged(InvalidInput):
    """An edit based on an older version than the latest: saving it would undo someone's change."""


def _text_normalise(text: str) -> str:
    """Text as stored: Unix line ends (browsers send CRLF), one newline at the end."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"


def _title_check(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("give it a title, so you know it when you see it", field="title")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"the title is longer than {MAX_TITLE_CHARS} characters", field="title")
    return title


def _name_check(name: str) -> str:
    try:
        return message_name_check(name)
    except TemplateError as exc:
        raise InvalidInput(exc.detail, field="name") from None


def messages_install_builtins(*, account: Account) -> None:
    """Give the account the starter messages and offers it lacks, and a new version of each
    starter message it has not changed whose shipped words changed. A message or offer of the
    seller's own with a starter's name is left alone."""
    now = clock.now()
    existing = {m.name: m for m in Message.objects.filter(account=account)}
    for builtin in builtin_messages().values():
        message = existing.get(builtin.name)
        if message is None:
            message = Message.objects.create(
                account=account,
                name=builtin.name,
                kind=builtin.kind.value,
                title=builtin.title,
                is_last=builtin.last,
                is_builtin=True,
                created_at=now,
                updated_at=now,
            )
            latest = None
        elif not message.is_builtin:
            continue
        else:
            latest = message_latest_version(message=message)
            if latest.builtin_version is not None and latest.builtin_version >= builtin.version:
                continue
            Message.objects.filter(pk=message.pk).update(
                title=builtin.title, is_last=builtin.last, updated_at=now
            )
        MessageVersion.objects.create(
            account=account,
            message=message,
            number=(latest.number + 1) if latest else 1,
            subject=builtin.subject,
            body=builtin.body,
            builtin_version=builtin.version,
            created_at=now,
        )
    names = set(Offer.objects.filter(account=account).values_list("name", flat=True))
    for offer in builtin_offers().values():
        if offer.name not in names:
            Offer.objects.create(
                account=account,
                name=offer.name,
                title=offer.title,
                details=offer.details,
                valid_days=offer.valid_days,
                is_builtin=True,
                created_at=now,
                updated_at=now,
            )


def messages_upgrade_builtins() -> int:
    """Bring every account's starter messages up to the shipped library (after an upgrade);
    returns how many accounts were looked at."""
    accounts = list(Account.objects.order_by("pk"))
    for account in accounts:
        with transaction.atomic():
            messages_install_builtins(account=account)
    return len(accounts)


@transaction.atomic
def message_add(
    *,
    account: Account,
    name: str,
    kind: str,
    title: str,
    body: str,
    subject: str = "",
    is_last: bool = False,
) -> MessageVersion:
    """Add a message to the library, checked as :func:`ringback.core.messages.message_check`
    does (syntax, variables, limits); its first version. A name already used is refused.
    ``is_last`` marks a last message (R8: a yes or no, no call-again)."""
    name = _name_check(name)
    try:
        message_kind = MessageKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in MessageKind)
        raise InvalidInput(f"the kind {kind[:20]!r} is not one of {choices}", field="kind") from None
    title = _title_check(title)
    body = _text_normalise(body)
    subject = " ".join(subject.split())
    message_check(body=body, subject=subject, kind=message_kind)
    if Message.objects.filter(account=account, name=name).exists():
        raise InvalidInput(f"you already have a message called {name!r}", field="name")
    now = clock.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                account=account,
                name=name,
                kind=message_kind.value,
                title=title,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise InvalidInput(f"you already have a message called {name!r}", field="name") from None
    return MessageVersion.objects.create(
        account=account, message=message, number=1, subject=subject, body=body, created_at=now
    )


@transaction.atomic
def message_update(
    *,
    account: Account,
    name: str,
    body: str,
    subject: str = "",
    title: str | None = None,
    is_last: bool | None = None,
    base_version: int | None = None,
) -> MessageVersion:
    """Save new words for the account's message ``name`` as its next version.

    ``base_version`` is the version the edit started from: when someone saved a newer one
    meanwhile, :class:`MessageChanged` is raised and nothing is stored. Saving the same words
    again changes nothing. A starter message the seller edits becomes theirs: upgrades no
    longer change it. Touches keep the version they used.
    """
    message = Message.objects.select_for_update().filter(account=account, name=name).first()
    if message is None:
        raise InvalidInput(f"no message called {name!r} in your library", field="name")
    body = _text_normalise(body)
    subject = " ".join(subject.split())
    new_title = _title_check(title) if title is not None else message.title
    latest = message_latest_version(message=message)
    if base_version is not None and base_version != latest.number:
        raise MessageChanged(
            f"{message.title} changed since you opened it: it is now at version {latest.number}. "
            "Nothing was saved. Compare your words with the latest version, then save again."
        )
    message_check(body=body, subject=subject, kind=MessageKind(message.kind))
    now = clock.now()
    last = message.is_last if is_last is None else is_last
    if new_title != message.title or last != message.is_last:
        Message.objects.filter(pk=message.pk).update(title=new_title, is_last=last, updated_at=now)
    if latest.body == body and latest.subject == subject:
        return latest
    Message.objects.filter(pk=message.pk).update(is_builtin=False, updated_at=now)
    return MessageVersion.objects.create(
        account=account, message=message, number=latest.number + 1, subject=subject, body=body, created_at=now
    )


def _offer_fields(*, title: str, details: str, valid_days: int) -> tuple[str, str, int]:
    title = _title_check(title)
    details = details.strip()
    if len(details) > MAX_DETAILS_CHARS:
        raise InvalidInput(f"the details are longer than {MAX_DETAILS_CHARS:,} characters", field="details")
    problem = offer_days_problem(valid_days)
    if problem:
        raise InvalidInput(problem, field="valid_days")
    return title, details, valid_days


@transaction.atomic
def offer_add(*, account: Account, name: str, title: str, details: str = "", valid_days: int = 14) -> Offer:
    """Add an offer; its validity is 1 to :data:`OFFER_MAX_DAYS` days (advice past 14, R9)."""
    name = _name_check(name)
    title, details, valid_days = _offer_fields(title=title, details=details, valid_days=valid_days)
    if Offer.objects.filter(account=account, name=name).exists():
        raise InvalidInput(f"you already have an offer called {name!r}", field="name")
    now = clock.now()
    try:
        with transaction.atomic():
            return Offer.objects.create(
                account=account,
                name=name,
                title=title,
                details=details,
                valid_days=valid_days,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise InvalidInput(f"you already have an offer called {name!r}", field="name") from None


@transaction.atomic
def offer_update(
    *,
    account: Account,
    name: str,
    title: str | None = None,
    details: str | None = None,
    valid_days: int | None = None,
) -> Offer:
    """Change the account's offer ``name``; cards already sent keep the date they announced."""
    offer = Offer.objects.select_for_update().filter(account=account, name=name).first()
    if offer is None:
        raise InvalidInput(f"no offer called {name!r}", field="name")
    title, details, valid_days = _offer_fields(
        title=offer.title if title is None else title,
        details=offer.details if details is None else details,
        valid_days=offer.valid_days if valid_days is None else valid_days,
    )
    Offer.objects.filter(pk=offer.pk).update(
        title=title, details=details, valid_days=valid_days, is_builtin=False, updated_at=clock.now()
    )
    offer.refresh_from_db()
    return offer


def message_advice_replace(*, account: Account, advice: list[MessageAdvice]) -> None:
    """Replace what the account's results say of its messages with ``advice`` (unsaved rows of
    this account's messages), in one transaction."""
    with transaction.atomic():
        MessageAdvice.objects.filter(account=account).delete()
        MessageAdvice.objects.bulk_create([row for row in advice if row.account_id == account.pk])
