"""Reads about contacts, always scoped to one account."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.core.errors import ContactAmbiguous, ContactNotFound
from ringback.core.phones import PhoneChoice, PhoneLabel, parse_phone
from ringback.core.scheduling import Recipient


def contacts_for_account(*, account: Account) -> QuerySet[Contact]:
    """Every contact of the account."""
    return Contact.objects.filter(account=account)


def contact_list(*, account: Account, tag: str | None = None, search: str | None = None) -> QuerySet[Contact]:
    """Contacts of the account, filtered by tag and by a search over name, company and email."""
    qs = contacts_for_account(account=account)
    if tag:
        qs = qs.filter(tags__name=tag)
    if search:
        qs = qs.annotate(full_name=Concat("first_name", Value(" "), "last_name")).filter(
            Q(full_name__icontains=search)
            | Q(company__icontains=search)
            | Q(emails__address__icontains=search)
        )
    return qs.prefetch_related("phones", "emails", "tags").distinct()


def _describe(contact: Contact) -> str:
    phones = [p.number for p in contact.phones.all()][:1]
    return f"#{contact.pk} {contact.name}" + (f" ({phones[0]})" if phones else "")


def contact_find(*, account: Account, reference: str) -> Contact:
    """The one contact named by id, email, phone or a unique part of the name.

    An unknown reference raises :class:`ContactNotFound`; one that matches several people
    raises :class:`ContactAmbiguous` listing them.
    """
    ref = reference.strip()
    if not ref:
        raise ContactNotFound("an empty contact reference names nobody")
    base = contacts_for_account(account=account).prefetch_related("phones")
    text = ref[1:] if ref.startswith("#") else ref
    if text.isdigit() and len(text) < 10:
        found = base.filter(pk=int(text)).first()
        if found is not None:
            return found
    matches: Sequence[Contact]
    if "@" in ref:
        matches = list(base.filter(emails__address__iexact=ref).distinct())
    else:
        matches = []
        parsed = parse_phone(ref, account.default_region)
        if parsed.valid and sum(c.isdigit() for c in ref) >= 7:
            matches = list(base.filter(phones__number=parsed.e164).distinct())
        if not matches:
            named = base.annotate(full_name=Concat("first_name", Value(" "), "last_name"))
            exact = list(named.filter(full_name__iexact=ref))
            matches = exact or list(
                named.filter(Q(full_name__icontains=ref) | Q(company__icontains=ref)).order_by(
                    "last_name", "first_name", "id"
                )[:50]
            )
    if not matches:
        raise ContactNotFound(
            f"no contact matches {reference!r} (give an id, email, phone or part of the name)"
        )
    if len(matches) > 1:
        raise ContactAmbiguous(reference, [_describe(c) for c in matches])
    return matches[0]


def contact_phone_choices(*, contact: Contact) -> list[PhoneChoice]:
    """The contact's numbers as the agenda weighs them (uses prefetched phones when present)."""
    return [
        PhoneChoice(
            id=p.pk,
            number=p.number,
            label=PhoneLabel(p.label),
            ok_at_work=p.ok_at_work,
            bad=p.is_bad or not p.is_valid,
        )
        for p in contact.phones.all()
    ]


def contact_recipient(*, contact: Contact, account: Account) -> Recipient:
    """What scheduling needs to know about the contact."""
    birthday = (
        (contact.birthday_month, contact.birthday_day)
        if contact.birthday_month and contact.birthday_day
        else None
    )
    usable = sum(1 for p in contact.phones.all() if p.is_valid and not p.is_bad)
    return Recipient(
        zone=contact.time_zone or account.time_zone,
        country=contact.country or account.default_region,
        subdivision=contact.subdivision or None,
        birthday=birthday,
        numbers=usable,
    )
