"""Reads for the Contacts tab: the contact list with its search and filters (a playbook among them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet

from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contacts_for_account, contacts_search, search_is_common
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
    """The account's contacts matching ``filters``, in name order (no joins that repeat rows)."""
    qs = contacts_for_account(account=account)
    few = filters.tag or filters.playbook or (filters.search and not search_is_common(filters.search))
    if few and connection.vendor == "sqlite":
        # SQLite would walk the name index to avoid sorting and test every contact until it has
        # a page: right when most contacts match, slow when few do. For a tag, a playbook or a
        # rare search word (a short list of ids) reading the matches and sorting them costs the
        # matches, not the whole book.
        qs = Contact.objects.alias(in_account=F("account_id") + 0).filter(in_account=account.pk)
    if filters.search:
        qs = contacts_search(qs, account=account, text=filters.search)
    if filters.tag:
        qs = qs.filter(
            pk__in=Contact.tags.through.objects.filter(tag__account=account, tag__name=filters.tag).values(
                "contact_id"
            )
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.warmth:
        qs = qs.filter(warmth=filters.warmth)
    if filters.playbook:
        qs = qs.filter(
            pk__in=Enrollment.objects.filter(
                account=account, status__in=RUNNING_STATUSES, version__playbook__name=filters.playbook
            ).values("contact_id")
        )
    if filters.never_called:
        qs = qs.filter(last_called_at__isnull=True)
    return qs.order_by("last_name", "first_name", "id")


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
