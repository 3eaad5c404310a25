"""Reads of the message library: one door per entity, the latest words, the variables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from ringback.accounts.models import Account
from ringback.contacts.models import Contact, Promise
from ringback.core.agenda import WEEKDAYS
from ringback.core.checks import MessageKind
from ringback.core.errors import NotFound
from ringback.core.messages import SAMPLE, TextForm, render_message, render_subject
from ringback.core.phones import display_phone
from ringback.messaging.models import Message, MessageAdvice, MessageVersion, Offer


def message_get(*, account: Account, name: str) -> Message:
    """The account's message ``name``; :class:`NotFound` if it has none."""
    message = Message.objects.filter(account=account, name=name).first()
    if message is None:
        raise NotFound(f"no message called {name!r} in your library")
    return message


def message_list(*, account: Account, kind: str | None = None) -> QuerySet[Message]:
    """The account's messages by name (of one kind, if given)."""
    messages = Message.objects.filter(account=account)
    if kind:
        messages = messages.filter(kind=kind)
    return messages.order_by("name")


def message_latest_version(*, message: Message) -> MessageVersion:
    """The newest version of ``message`` (every message has at least one)."""
    version = message.versions.order_by("-number").first()
    assert version is not None, f"message {message.pk} has no version"
    return version


def message_version_get(*, account: Account, name: str, number: int) -> MessageVersion:
    """Version ``number`` of the account's message ``name``; :class:`NotFound` otherwise."""
    version = (
        MessageVersion.objects.select_related("message")
        .filter(account=account, message__name=name, number=number)
        .first()
    )
    if version is None:
        raise NotFound(f"message {name!r} has no version {number}")
    return version


def message_versions_latest(*, account: Account, names: Iterable[str]) -> dict[str, MessageVersion]:
    """The newest version of each of the account's messages named in ``names``, by name; names
    not in the library are left out. One query, however many names."""
    wanted = set(names)
    if not wanted:
        return {}
    latest: dict[str, MessageVersion] = {}
    versions = (
        MessageVersion.objects.select_related("message")
        .filter(account=account, message__name__in=wanted)
        .order_by("message_id", "-number")
    )
    for version in versions:
        latest.setdefault(version.message.name, version)
    return latest


def message_texts(*, account: Account, names: Iterable[str]) -> dict[str, str]:
    """The newest body of each of the account's messages named in ``names``, by name."""
    return {
        name: version.body for name, version in message_versions_latest(account=account, names=names).items()
    }


def message_names(*, account: Account) -> dict[str, str]:
    """The kind of each of the account's messages, by name."""
    return dict(Message.objects.filter(account=account).values_list("name", "kind"))


def offer_get(*, account: Account, name: str) -> Offer:
    """The account's offer ``name``; :class:`NotFound` if it has none."""
    offer = Offer.objects.filter(account=account, name=name).first()
    if offer is None:
        raise NotFound(f"no offer called {name!r}")
    return offer


def offer_list(*, account: Account) -> QuerySet[Offer]:
    """The account's offers by name."""
    return Offer.objects.filter(account=account).order_by("name")


def offers_by_name(*, account: Account, names: Iterable[str]) -> dict[str, Offer]:
    """The account's offers named in ``names``, by name (one query)."""
    wanted = set(names)
    if not wanted:
        return {}
    return {offer.name: offer for offer in Offer.objects.filter(account=account, name__in=wanted)}


def _fmt_day(value: date) -> str:
    return f"{WEEKDAYS[value.weekday()]}, {value:%B} {value.day}"


def message_variables(
    *,
    account: Account,
    contact: Contact | None,
    offer: Offer | None = None,
    offer_expires: date | None = None,
    promise: Promise | None = None,
    attempt: int | None = None,
    next_call_day: str = "",
    mailed_on: date | None = None,
    unsubscribe_url: str = "",
) -> dict[str, object]:
    """The documented variables (:data:`ringback.core.messages.VARIABLES`) for a message to
    ``contact`` from the account's seller; for a preview without a contact, the sample contact's
    (with the sample offer, promise and dates unless given).

    Dates are days in the contact's zone, written out ("Monday, December 21").
    """
    expires = _fmt_day(offer_expires) if offer_expires else ""
    variables: dict[str, object] = {
        "contact": {
            "first_name": contact.first_name or contact.name,
            "last_name": contact.last_name,
            "name": contact.name,
            "company": contact.company,
        }
        if contact is not None
        else SAMPLE["contact"],
        "seller": {
            "name": account.seller_name or account.name,
            "first_name": account.seller_first_name,
            "phone": display_phone(account.seller_phone) if account.seller_phone else "",
            "business": account.business_name,
            "postal_address": " ".join(account.postal_address.split()),
        },
        "offer": {
            "name": offer.title if offer else "",
            "details": offer.details if offer else "",
            "expires": expires,
        },
        "promise": {
            "text": promise.text if promise else "",
            "due": _fmt_day(promise.due_on) if promise and promise.due_on else "",
        },
        "attempt": attempt or 1,
        "next_call_day": next_call_day or "in a few days",
        "offer_expires": expires,
        "mailed_on": f"{mailed_on:%B} {mailed_on.day}" if mailed_on else "last week",
        "unsubscribe_url": unsubscribe_url,
    }
    if contact is None:  # a preview: the made-up contact, offer, promise and dates
        for name in ("offer", "promise", "next_call_day", "offer_expires", "mailed_on", "unsubscribe_url"):
            if not (offer and name == "offer") and not (promise and name == "promise"):
                variables[name] = SAMPLE[name]
    return variables


@dataclass(frozen=True, slots=True)
class Filled:
    """A message filled in for one contact: what they would hear, read or receive."""

    subject: str
    body: str


def form_for(kind: MessageKind) -> TextForm:
    """How a message of ``kind`` is laid out: spoken in one paragraph, or written as written."""
    return TextForm.SPOKEN if kind in (MessageKind.VOICEMAIL, MessageKind.OPENER) else TextForm.PLAIN


def message_fill(
    *,
    kind: MessageKind,
    body: str,
    subject: str,
    variables: Mapping[str, object],
    form: TextForm | None = None,
) -> Filled:
    """The message filled in with ``variables`` in the sandbox (``form`` defaults to the kind's);
    :class:`ringback.core.errors.TemplateError` with the line if it can't be."""
    return Filled(
        subject=render_subject(subject, variables) if subject else "",
        body=render_message(body, variables, form=form or form_for(kind)),
    )


def message_advice_flagged(*, account: Account) -> list[MessageAdvice]:
    """The account's messages its results say to change, the most credibly worse first."""
    return list(
        MessageAdvice.objects.filter(account=account, flagged=True)
        .select_related("message")
        .order_by("-probability_worse", "message__name")
    )


def message_advice_get(*, account: Account, message: Message) -> MessageAdvice | None:
    """What the results say of ``message`` (None before it has any)."""
    return MessageAdvice.objects.filter(account=account, message=message).first()
