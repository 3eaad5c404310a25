"""Reads for the Contacts tab: the contact list with its search and filters (a playbook among them)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contacts_matching
from ringback.playbooks.choices import RUNNING_STATUSES
from ringback.playbooks.models import Enrollment
from ringback.playbooks.selectors import enrollments_running_for


@dataclass(frozen=True, slots=True)
class ContactFilters:
    """What the contact list shows: a search and filters, all optional."""

    search: str = ""
    tag: str = ""
    status: str = ""
    warmth: str = ""
    playbook: str = ""
    never_called: bool = False

    @property
    def active(self) -> bool:
        return bool(
            self.search or self.tag or self.status or self.warmth or self.playbook or self.never_called
        )


#: Where a page of the contact list starts: after this (last name, first name, id).
Cursor = tuple[str, str, int]

#: The contact fields a line of the list shows (the others are not read).
LIST_FIELDS = (
    "id",
    "account_id",
    "first_name",
    "last_name",
    "company",
    "status",
    "warmth",
    "time_zone",
    "do_not_contact",
    "last_called_at",
)


@dataclass(frozen=True, slots=True)
class ContactsPage:
    """One page of the contact list and where the next one starts (``None`` on the last)."""

    contacts: list[Contact]
    next_cursor: Cursor | None
    running: Mapping[int, Enrollment]


def contacts_filtered(*, account: Account, filters: ContactFilters) -> QuerySet[Contact]:
    """The account's contacts matching the list's ``filters`` (a running playbook among them),
    in name order."""
    running = (
        Enrollment.objects.filter(
            account=account, status__in=RUNNING_STATUSES, version__playbook__name=filters.playbook
        ).values("contact_id")
        if filters.playbook
        else None
    )
    return contacts_matching(
        account=account,
        search=filters.search,
        tag=filters.tag,
        status=filters.status,
        warmth=filters.warmth,
        never_called=filters.never_called,
        among=running,
    )


def contacts_page(
    *, account: Account, filters: ContactFilters, after: Cursor | None = None, size: int = 50
) -> ContactsPage:
    """A page of the contact list after ``after``, with numbers, tags and running playbooks.

    Keyset pagination on (last name, first name, id): no OFFSET and no COUNT, so a page costs the
    same with 100 or 100,000 contacts, and four queries whatever its length.
    """
    qs = contacts_filtered(account=account, filters=filters)
    if after is not None:
        last, first, pk = after
        qs = qs.filter(
            Q(last_name__gte=last)
            & (Q(last_name__gt=last) | Q(first_name__gt=first) | Q(first_name=first, id__gt=pk))
        )
    rows = list(qs.only(*LIST_FIELDS).prefetch_related("phones", "tags")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    cursor = (rows[-1].last_name, rows[-1].first_name, rows[-1].pk) if more and rows else None
    running = enrollments_running_for(contacts=rows) if rows else {}
    return ContactsPage(contacts=rows, next_cursor=cursor, running=running)


def encode_cursor(cursor: Cursor) -> str:
    """A page cursor as a short URL-safe token."""
    raw = json.dumps(list(cursor), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> Cursor | None:
    """The cursor in ``token``; a damaged one means the first page."""
    if not token:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], str)
        and isinstance(value[2], int)
    ):
        return (value[0], value[1], value[2])
    return None
