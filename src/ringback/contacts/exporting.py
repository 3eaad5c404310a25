"""Exporting an account's contacts as a Google Contacts CSV or a vCard 4.0 file.

Contacts are read in name order, ``CHUNK_SIZE`` at a time with their numbers, emails, addresses
and tags (one query for the contacts and one per kind of detail, per chunk, never per contact),
turned into :class:`Card` records and handed to the core writers, so an export of 100,000
contacts streams in constant memory. Only the given account's contacts are read. Rows are read
as tuples: with model instances and ``prefetch_related`` the same queries took 26 s of Python
for 50,000 contacts (Django builds a related manager per contact and relation), as tuples the
whole export takes about 3 s.

What a file carries is what an import gives back: names, company, title, every number (with its
label and extension, wrong and unparsed numbers included), emails, addresses, birthday, tags and
notes. Ringback's own follow-up state stays out: status and warmth are not put into the notes
or the tags (an import would then change the notes, or add tags), and neither are
do-not-contact, playbooks, calls, time zone or promises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from enum import StrEnum
from itertools import islice
from typing import Any, TextIO

from django.db.models import Count, IntegerField, Max, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ringback.accounts.models import Account
from ringback.contacts.models import Address, Contact, Email, Phone
from ringback.contacts.selectors import contacts_for_account
from ringback.core.interchange.records import Birthday, Card, CardAddress, CardEmail, CardPhone
from ringback.core.interchange.writers import google_csv_lines, vcard_text, write_google_csv, write_vcard

#: Contacts read at a time (each chunk costs five queries whatever its contacts have).
CHUNK_SIZE = 2000

#: A streamed export is handed out in pieces of about this many characters.
PIECE_SIZE = 64 * 1024

#: The contact fields a file carries (the others are not read).
EXPORT_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "company",
    "title",
    "notes",
    "birthday_month",
    "birthday_day",
    "birthday_year",
)


class ExportFormat(StrEnum):
    """A kind of export file."""

    CSV = "csv"
    VCARD = "vcard"

    @property
    def extension(self) -> str:
        return "csv" if self is ExportFormat.CSV else "vcf"

    @property
    def content_type(self) -> str:
        return "text/csv; charset=utf-8" if self is ExportFormat.CSV else "text/vcard; charset=utf-8"


def contacts_for_export(*, account: Account, contacts: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    """The account's contacts to export (all, or those of ``contacts``, e.g. what the contact
    list's filters show), in name order, without their details."""
    chosen = contacts_for_account(account=account) if contacts is None else contacts.filter(account=account)
    return chosen.order_by("last_name", "first_name", "id")


_Row = tuple[Any, ...]


def _grouped(rows: Iterable[_Row]) -> dict[int, list[_Row]]:
    """Rows whose first value is a contact id, grouped by it (in the order read)."""
    groups: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row[1:])
    return groups


def _details(account: Account, ids: list[int]) -> tuple[dict[int, list[_Row]], ...]:
    """The numbers, emails, addresses and tag names of the contacts ``ids``: four queries."""
    phones = Phone.objects.filter(account=account, contact_id__in=ids).order_by("id")
    emails = Email.objects.filter(account=account, contact_id__in=ids).order_by("id")
    addresses = Address.objects.filter(account=account, contact_id__in=ids).order_by("id")
    tags = Contact.tags.through.objects.filter(contact_id__in=ids, tag__account=account)
    return (
        _grouped(phones.values_list("contact_id", "number", "label", "extension")),
        _grouped(emails.values_list("contact_id", "address", "label")),
        _grouped(
            addresses.values_list("contact_id", "label", "street", "city", "region", "postal_code", "country")
        ),
        _grouped(tags.order_by("tag__name", "tag_id").values_list("contact_id", "tag__name")),
    )


def contacts_cards(
    *, account: Account, contacts: QuerySet[Contact] | None = None, chunk_size: int = CHUNK_SIZE
) -> Iterator[Card]:
    """The account's contacts (all, or those of ``contacts``) as :class:`Card` records in
    name order, with every number (label and extension kept), email, address and tag.

    Reads ``chunk_size`` contacts at a time: one query for the contacts and four for their
    details per chunk, whatever the contacts have. Rows are read as tuples, not models: at
    100,000 contacts, building model instances and prefetch caches costs far more than the
    queries.
    """
    rows = contacts_for_export(account=account, contacts=contacts).values_list(*EXPORT_FIELDS)
    numbered = enumerate(rows.iterator(chunk_size=chunk_size), 1)
    while chunk := list(islice(numbered, chunk_size)):
        phones, emails, addresses, tags = _details(account, [row[0] for _, row in chunk])
        for n, (pk, first, last, company, title, notes, month, day, year) in chunk:
            yield Card(
                row=n,
                first_name=first,
                last_name=last,
                company=company,
                title=title,
                phones=tuple(CardPhone(value=v, label=lb, extension=x) for v, lb, x in phones.get(pk, ())),
                emails=tuple(CardEmail(address=v, label=lb) for v, lb in emails.get(pk, ())),
                addresses=tuple(CardAddress(*parts) for parts in addresses.get(pk, ())),
                birthday=Birthday(month=month, day=day, year=year) if month and day else None,
                tags=tuple(name for (name,) in tags.get(pk, ())),
                notes=notes,
            )


def _count(model: type[Model], **exclude: str) -> Coalesce:
    per_contact = (
        model._default_manager.filter(contact=OuterRef("pk"))
        .exclude(**exclude)
        .order_by()
        .values("contact")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_contact, output_field=IntegerField()), 0)


def contacts_export_widest(*, account: Account, contacts: QuerySet[Contact] | None = None) -> dict[str, int]:
    """The most emails, numbers and non-empty addresses one contact to export has, as the
    ``max_emails``, ``max_phones`` and ``max_addresses`` of the CSV writer (one query)."""
    blank = {"street": "", "city": "", "region": "", "postal_code": "", "country": ""}
    widest = (
        contacts_for_export(account=account, contacts=contacts)
        .order_by()
        .annotate(n_emails=_count(Email), n_phones=_count(Phone), n_addresses=_count(Address, **blank))
        .aggregate(emails=Max("n_emails"), phones=Max("n_phones"), addresses=Max("n_addresses"))
    )
    return {f"max_{kind}": widest[kind] or 0 for kind in ("emails", "phones", "addresses")}


def contacts_export(
    *,
    account: Account,
    file_format: ExportFormat,
    out: TextIO,
    contacts: QuerySet[Contact] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Write the account's contacts (all, or those of ``contacts``) to
    ``out`` in name order as a Google Contacts CSV or vCard 4.0, and return how many.

    Queries: five per ``chunk_size`` contacts (see :func:`contacts_cards`), and for the CSV one
    more first to size its columns. ``out`` should be opened with ``newline=""`` (the writers
    put CRLF line ends).
    """
    cards = contacts_cards(account=account, contacts=contacts, chunk_size=chunk_size)
    if file_format is ExportFormat.VCARD:
        return write_vcard(cards, out)
    return write_google_csv(cards, out, **contacts_export_widest(account=account, contacts=contacts))


def _lines(
    account: Account, file_format: ExportFormat, contacts: QuerySet[Contact] | None, chunk_size: int
) -> Iterator[str]:
    cards = contacts_cards(account=account, contacts=contacts, chunk_size=chunk_size)
    if file_format is ExportFormat.VCARD:
        yield from vcard_text(cards)
    else:
        yield from google_csv_lines(cards, **contacts_export_widest(account=account, contacts=contacts))


def contacts_export_pieces(
    *,
    account: Account,
    file_format: ExportFormat,
    contacts: QuerySet[Contact] | None = None,
    chunk_size: int = CHUNK_SIZE,
    piece_size: int = PIECE_SIZE,
) -> Iterator[str]:
    """The same file as :func:`contacts_export`, handed out in pieces of about ``piece_size``
    characters (for a streamed download). Nothing is read before the first piece is asked for."""
    return _batched(_lines(account, file_format, contacts, chunk_size), piece_size)


def _batched(lines: Iterable[str], size: int) -> Iterator[str]:
    buffer: list[str] = []
    length = 0
    for line in lines:
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)
