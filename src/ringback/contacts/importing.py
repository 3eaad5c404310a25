"""Importing contact files: read, normalise, match existing contacts, merge — all or nothing.

Rows are streamed from the file and written in batches inside one transaction: an import that
fails or is interrupted (Ctrl-C, a killed process) leaves the database as it was. A row is
merged into a contact (saved before, or made by an earlier row of the file) only on personal
evidence: an email address they share, or a mobile number they share that nobody calls a work or
home line and that is no landline by its country's plan; or, sharing only such a line, the same
name (or, with neither number nor email, the exact same name). A row that shares only a line
with someone whose name differs is a doubtful match: it is not merged but made a new contact
(without that number, which stays with the one who has it), and reported. A merge adds new
numbers, emails, addresses and tags, fills blank fields, raises the warmth, overwrites nothing,
and is written to the contact's timeline. Importing the same file twice therefore changes
nothing the second time. Every value moved to the notes or left out is in the report.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from ringback.accounts.models import Account
from ringback.contacts.bulk import indexes_deferred, table_rows
from ringback.contacts.choices import ContactStatus, ImportStatus, PhoneLabel, Warmth
from ringback.contacts.folded import folded
from ringback.contacts.models import Address, Contact, Email, ImportRun, Phone, Tag
from ringback.contacts.search_index import search_index_deferred
from ringback.contacts.selectors import import_run_for_upload
from ringback.contacts.signals import contacts_merged
from ringback.core import clock
from ringback.core.errors import ImportFailed
from ringback.core.interchange import FileFormat, Notice, RowProblem
from ringback.core.interchange.ahead import ReadAhead
from ringback.core.interchange.incoming import (
    MAX_ADDRESSES,
    MAX_EMAILS,
    MAX_NUMBERS,
    Incoming,
    LeftOut,
    Number,
    Seller,
    address_key,
    name_key,
    person_key,
)
from ringback.core.interchange.incoming import Address as PostalAddress
from ringback.core.interchange.records import Birthday
from ringback.core.interchange.values import meaningful, warmer
from ringback.core.phones import is_landline

log = logging.getLogger(__name__)

#: Rows written per batch (one set of INSERTs per table per batch); merges into contacts saved
#: before are gathered until this many contacts have some.
BATCH = 1000
#: Skipped rows listed one by one in a report; beyond this only counted. The same for rows with
#: numbers, emails or addresses left out beyond a contact's caps.
PROBLEMS_KEPT = 10_000

#: Told how far an import is: bytes of the file read, bytes in all, rows read so far.
Progress = Callable[[int, int, int], None]

#: Labels of lines people share (an office, a household): a number someone calls one of these is
#: no personal evidence that two rows are one person.
_LINES = frozenset({PhoneLabel.WORK.value, PhoneLabel.HOME.value})
_MOBILE = PhoneLabel.MOBILE.value


@dataclass(slots=True)
class _Fillable:
    """The contact fields an import fills when they are blank (it never overwrites them)."""

    company: str
    title: str
    notes: str
    birthday_month: int | None
    birthday_day: int | None
    birthday_year: int | None
    warmth: str  # "" for a new contact that no row has given one yet (it gets the default)


_FILLED = tuple(f.name for f in fields(_Fillable))


@dataclass(slots=True)
class _Saved(_Fillable):
    """A contact saved before, as merging into it needs it (its name is only read)."""

    first_name: str
    last_name: str
    id: int


@dataclass(slots=True)
class _Known:
    """What a saved contact has already, to tell what a row adds."""

    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    addresses: set[tuple[str, str, str]] = field(default_factory=set)  # by address_key
    tags: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _New(_Fillable):
    """A contact of the batch being gathered that more than one row of the file makes up."""

    first_name: str
    last_name: str
    time_zone: str
    country: str
    subdivision: str
    numbers: list[tuple[str, str, str, bool]]  # number, extension, label, valid
    emails: list[tuple[str, str]]  # address, label
    addresses: list[tuple[str, str, str, str, str, str]]
    tags: set[str]
    known_numbers: set[str]  # the numbers above, to find repeats of those kept as written

    @classmethod
    def first(cls, item: Incoming) -> _New:
        """The contact as its first row makes it."""
        month, day, year = item.birthday or (None, None, None)
        return cls(
            company=item.company,
            title=item.title,
            notes=item.notes,
            birthday_month=month,
            birthday_day=day,
            birthday_year=year,
            warmth=item.warmth,
            first_name=item.first_name,
            last_name=item.last_name,
            time_zone=item.time_zone,
            country=item.country,
            subdivision=item.subdivision,
            numbers=list(item.numbers),
            emails=list(item.emails),
            addresses=list(item.addresses),
            tags=set(item.tags),
            known_numbers={number for number, *_ in item.numbers},
        )


@dataclass(frozen=True, slots=True)
class _Doubt:
    """A row shares ``numbers`` (lines, no personal evidence) with contact ``other``, whose name
    differs: a doubtful match, not merged."""

    numbers: tuple[str, ...]
    other: int


class _Importer:
    def __init__(self, account: Account, label: str, indexed: Callable[[], None]) -> None:
        self.account = account
        self.indexed = indexed
        self.label = label
        self.now = clock.now()
        #: Who has each working number (numbers kept as written match nobody: two people may
        #: both have "ask at the bakery").
        self.phone_owner: dict[str, int] = dict(
            Phone.objects.filter(account=account, is_valid=True).values_list("number", "contact_id")
        )
        #: The working numbers their contact calls a work or home line (shared, not personal).
        self.line_numbers: set[str] = set(
            Phone.objects.filter(account=account, is_valid=True, label__in=_LINES).values_list(
                "number", flat=True
            )
        )
        #: The person key and the name of contacts whose name a shared line made us look at.
        self.people: dict[int, tuple[str, str]] = {}
        self.email_owner: dict[str, int] = dict(
            Email.objects.filter(account=account).values_list("address", "contact_id")
        )
        self.name_owner: dict[str, int] = {
            name_key(first, last, company): pk
            for pk, first, last, company in Contact.objects.filter(account=account).values_list(
                "id", "first_name", "last_name", "company"
            )
        }
        self.tag_ids: dict[str, int] = dict(Tag.objects.filter(account=account).values_list("name", "id"))
        #: The contacts of the batch being gathered, by the id they will have.
        self.new: dict[int, Incoming | _New] = {}
        self.ids = _ContactIds()
        #: Rows to merge into contacts saved before, by contact id, in file order.
        self.merges: dict[int, list[Incoming]] = {}
        self.created = self.merged = self.unchanged = self.skipped = self.rows = 0
        self.problems: list[list[Any]] = []
        #: Doubtful matches (rows not merged), values moved to the notes or left out: how many,
        #: and the first PROBLEMS_KEPT of them.
        self.doubtful = self.moved = 0
        self.notices: list[dict[str, Any]] = []
        #: Rows with numbers, emails or addresses left out beyond a contact's caps: how many, and
        #: the first PROBLEMS_KEPT of them by row.
        self.capped = 0
        self.left_out: dict[int, dict[str, Any]] = {}

    # --- taking rows --------------------------------------------------------------------------

    def skip(self, problem: RowProblem) -> None:
        self.skipped += 1
        if len(self.problems) < PROBLEMS_KEPT:
            where = f"{problem.field}: " if problem.field else ""
            self.problems.append([problem.row, f"{where}{problem.reason}"])

    def leave_out(self, item: Incoming, pk: int, left: LeftOut) -> None:
        """Note in the report that ``item``'s row had ``left`` left out of contact ``pk`` (once
        per row: what the reader left out of the row, and what did not fit in the contact)."""
        if not left:
            return
        self.capped += 1
        if len(self.left_out) < PROBLEMS_KEPT:
            self.left_out[item.row] = {"row": item.row, "contact": _shown_name(item), "contact_id": pk,
                                       **left._asdict()}  # fmt: skip

    def note(self, item: Incoming, pk: int, notices: Iterable[Notice]) -> None:
        """Note in the report the values of ``item``'s row (which went to contact ``pk``) that were
        moved to the notes or left out."""
        for notice in notices:
            self.moved += 1
            if len(self.notices) < PROBLEMS_KEPT:
                self.notices.append({"kind": MOVED, "row": item.row, "contact": _shown_name(item),
                                     "contact_id": pk, **notice._asdict()})  # fmt: skip

    def take(self, row: Incoming | RowProblem) -> None:
        self.rows += 1
        if isinstance(row, RowProblem):
            self.skip(row)
            return
        owner = self.owner(row)
        pk: int | None
        if owner is None:
            pk = self.create(row)
            self.leave_out(row, pk, row.left_out)
        elif isinstance(owner, _Doubt):
            pk = self.doubt(row, owner)
        elif owner in self.new:
            pk = owner
            self.take_new(owner, row)
        else:
            pk = owner
            self.take_saved(owner, row)
        if row.notices and pk is not None:
            self.note(row, pk, row.notices)
        if len(self.new) >= BATCH:
            self.write_new()
            # Indexed as we go (not all at the end), while the reader prepares the next rows.
            self.indexed()
        if len(self.merges) >= BATCH:
            self.merge_existing()

    def take_new(self, pk: int, row: Incoming) -> None:
        """Merge ``row`` into contact ``pk`` of the batch being gathered."""
        pending = self.new[pk]
        if isinstance(pending, Incoming):
            pending = self.new[pk] = _New.first(pending)
        if self.merge_new(pk, pending, row):
            self.merged += 1
        else:
            self.unchanged += 1

    def take_saved(self, pk: int, row: Incoming) -> None:
        """Gather ``row`` to merge into contact ``pk``, saved before."""
        self.merges.setdefault(pk, []).append(row)
        # What the merge will add is the contact's from now on, for the rows that follow.
        for number, _, label, valid in row.numbers:
            if valid and number not in self.phone_owner:
                self.phone_owner[number] = pk
                if label in _LINES:
                    self.line_numbers.add(number)
        for address, _ in row.emails:
            self.email_owner.setdefault(address, pk)

    def doubt(self, row: Incoming, doubt: _Doubt) -> int | None:
        """A row that shares only lines with someone whose name differs: a new contact without
        those numbers (they stay with whoever has them), reported; its id. Skipped, and reported,
        if without them it holds no person (no name, no email, no other working number)."""
        item = row._replace(numbers=tuple(n for n in row.numbers if n[0] not in doubt.numbers))
        other = self.person(doubt.other)[1]
        number = doubt.numbers[0]
        if not (_named(item) or item.emails or any(n[3] for n in item.numbers)):
            self.skip(
                RowProblem(row.row, f"no name or email, and its number {number} is {other}'s: not merged")
            )
            return None
        pk = self.create(item)
        self.leave_out(item, pk, item.left_out)
        self.doubtful += 1
        if len(self.notices) < PROBLEMS_KEPT:
            label = next((n[2] for n in row.numbers if n[0] == number), "")
            line = f"{label} number" if label in _LINES else "number"
            reason = f"{other} has this {line} and another name: a new contact, without that number"
            self.notices.append({"kind": DOUBTFUL, "row": row.row, "contact": _shown_name(item), "contact_id": pk,
                                 "field": "phone", "value": number, "reason": reason, "other": other,
                                 "other_id": doubt.other})  # fmt: skip
        return pk

    # --- matching -----------------------------------------------------------------------------

    def owner(self, item: Incoming) -> int | _Doubt | None:
        """The contact ``item`` is: the owner of its first email or personal number that has one
        (see :meth:`personal`), else, if it shares lines with someone, that someone or another
        contact of the same name (a :class:`_Doubt` if there is none), else, with neither a
        working number nor an email, the owner of its exact name."""
        working = False
        shared: list[str] = []
        for number, _, label, valid in item.numbers:
            if valid:
                working = True
                found = self.phone_owner.get(number)
                if found is not None:
                    if self.personal(number, label):
                        return found
                    shared.append(number)
        for address, _ in item.emails:
            found = self.email_owner.get(address)
            if found is not None:
                return found
        if shared:
            return self.same_name(item, shared)
        if not working and not item.emails:
            return self.name_owner.get(name_key(item.first_name, item.last_name, item.company))
        return None

    def personal(self, number: str, label: str) -> bool:
        """Whether a working number that someone has, which a row labels ``label``, is personal
        evidence that the row is them: the row calls it a mobile, they do not call it a work or
        home line, and it is no landline by its country's numbering plan."""
        return label == _MOBILE and number not in self.line_numbers and not is_landline(number)

    def same_name(self, item: Incoming, shared: list[str]) -> int | _Doubt:
        """The contact a row that shares only the lines ``shared`` is: one who has a line and the
        same name, or another contact with its exact name; else a doubtful match with the one
        who has the first line."""
        key = person_key(item.first_name, item.last_name, item.company)
        if key:
            for number in shared:
                other = self.phone_owner[number]
                if self.person(other)[0] == key:
                    return other
            named = self.name_owner.get(name_key(item.first_name, item.last_name, item.company))
            if named is not None:
                return named
        return _Doubt(tuple(shared), self.phone_owner[shared[0]])

    def person(self, pk: int) -> tuple[str, str]:
        """Contact ``pk``'s person key and name (looked up once: only shared lines need them)."""
        known = self.people.get(pk)
        if known is None:
            pending = self.new.get(pk)
            if pending is not None:
                first, last, company = pending.first_name, pending.last_name, pending.company
            else:
                first, last, company = (
                    Contact.objects.filter(pk=pk).values_list("first_name", "last_name", "company").get()
                )
            known = self.people[pk] = (
                person_key(first, last, company),
                _contact_name(first, last, company, pk),
            )
        return known

    # --- new contacts -------------------------------------------------------------------------

    def create(self, item: Incoming) -> int:
        """Gather ``item`` as a new contact (none of its working numbers and emails has a
        contact yet); its id."""
        pk = self.ids.next()
        self.new[pk] = item
        self.created += 1
        for number, _, label, valid in item.numbers:
            if valid:
                self.phone_owner[number] = pk
                if label in _LINES:
                    self.line_numbers.add(number)
        for address, _ in item.emails:
            self.email_owner[address] = pk
        self.name_owner.setdefault(name_key(item.first_name, item.last_name, item.company), pk)
        return pk

    def merge_new(self, pk: int, new: _New, item: Incoming) -> bool:
        """Add what ``item`` brings to a contact of the batch being gathered; whether it added
        anything."""
        before = (len(new.numbers), len(new.emails), len(new.addresses), len(new.tags))
        read = item.left_out
        left = LeftOut(
            read.numbers + self._gather_numbers(pk, new, item.numbers),
            read.emails + self._gather_emails(pk, new, item.emails),
            read.addresses + _gather_addresses(new, item.addresses),
        )
        self.leave_out(item, pk, left)
        new.tags.update(item.tags)
        grew = (len(new.numbers), len(new.emails), len(new.addresses), len(new.tags)) != before
        filled, notices = _fill(new, item, pk)
        self.note(item, pk, notices)
        return bool(filled) or grew

    def _gather_numbers(self, pk: int, new: _New, numbers: Iterable[Number]) -> int:
        """Add to new contact ``pk`` the ``numbers`` it lacks, up to :data:`MAX_NUMBERS`; how many
        more did not fit. A working number already has its contact (this one, or someone else);
        one kept as written is a repeat when this contact has it already."""
        left = 0
        for number in numbers:
            text, valid = number[0], number[3]
            if (text in self.phone_owner) if valid else (text in new.known_numbers):
                continue
            if len(new.numbers) >= MAX_NUMBERS:
                left += 1
                continue
            if valid:
                self.phone_owner[text] = pk
                if number[2] in _LINES:
                    self.line_numbers.add(text)
            new.numbers.append(number)
            new.known_numbers.add(text)
        return left

    def _gather_emails(self, pk: int, new: _New, emails: Iterable[tuple[str, str]]) -> int:
        """Add to new contact ``pk`` the ``emails`` (address, label) nobody has yet, up to
        :data:`MAX_EMAILS`; how many more did not fit."""
        left = 0
        for email in emails:
            if email[0] in self.email_owner:
                continue
            if len(new.emails) >= MAX_EMAILS:
                left += 1
                continue
            new.emails.append(email)
            self.email_owner[email[0]] = pk
        return left

    # --- merging into contacts already in the book --------------------------------------------

    def merge_existing(self) -> None:
        """Merge the rows gathered for contacts saved before (by earlier imports, or by this one
        in an earlier batch)."""
        if not self.merges:
            return
        self.indexed()  # the contacts updated below must be in the search index first

        ids = list(self.merges)
        # No ordering anywhere: with one, SQLite walks the ordering's index over the whole
        # account instead of looking the few ids up.
        saved = [
            _Saved(*values)
            for values in Contact.objects.filter(account=self.account, pk__in=ids)
            .order_by()
            .values_list(*_FILLED, "first_name", "last_name", "id")
        ]
        known = _known_details(ids)
        rows = _Rows()
        notes: list[tuple[int, str]] = []
        updated: dict[int, _Saved] = {}
        for contact in saved:
            for item in self.merges[contact.id]:
                added, left = self._merge_row(contact.id, known[contact.id], item, rows)
                filled, notices = _fill(contact, item, contact.id)
                self.note(item, contact.id, notices)
                if filled:
                    updated[contact.id] = contact
                if not (added or filled):
                    self.unchanged += 1
                    continue
                self.merged += 1
                notes.append((contact.id, self._merge_note(item, added + filled, left)))
        rows.write()
        contacts_merged.send(sender=Contact, account=self.account, notes=notes, at=self.now)
        _save_filled(updated.values(), at=self.now)
        self.merges.clear()

    def _merge_row(self, pk: int, have: _Known, item: Incoming, rows: _Rows) -> tuple[list[str], LeftOut]:
        """Add to saved contact ``pk`` the numbers, emails, addresses and tags of ``item`` it lacks,
        up to the caps (their rows go to ``rows``, and what it has then to ``have``); what was
        added, in the words of the timeline's note, and how many were left out (noted in the
        report)."""
        numbers, numbers_left = self._merge_numbers(pk, have.phones, item.numbers, rows)
        emails, emails_left = self._merge_emails(pk, have.emails, item.emails, rows)
        addresses, addresses_left = _merge_addresses(
            self.account.pk, pk, have.addresses, item.addresses, rows
        )
        read = item.left_out
        left = LeftOut(
            read.numbers + numbers_left, read.emails + emails_left, read.addresses + addresses_left
        )
        self.leave_out(item, pk, left)
        return numbers + emails + addresses + self._merge_tags(pk, have.tags, item.tags, rows), left

    def _merge_numbers(
        self, pk: int, have: set[str], numbers: Iterable[Number], rows: _Rows
    ) -> tuple[list[str], int]:
        """The ``numbers`` saved contact ``pk`` lacks, up to :data:`MAX_NUMBERS`, as rows to insert
        (a working number someone else has is theirs); what was added, and how many more did not
        fit."""
        added: list[str] = []
        left = 0
        for number, extension, label, valid in numbers:
            taken = valid and self.phone_owner.get(number, pk) != pk
            if number in have or taken:
                continue
            if len(have) >= MAX_NUMBERS:
                left += 1
                continue
            rows.phones.append((self.account.pk, pk, number, extension, label, False, valid, False))
            have.add(number)
            if valid:
                self.phone_owner[number] = pk
                if label in _LINES:
                    self.line_numbers.add(number)
            added.append(f"phone {number}")
        return added, left

    def _merge_emails(
        self, pk: int, have: set[str], emails: Iterable[tuple[str, str]], rows: _Rows
    ) -> tuple[list[str], int]:
        """The ``emails`` (address, label) saved contact ``pk`` lacks and nobody else has, up to
        :data:`MAX_EMAILS`, as rows to insert; what was added, and how many more did not fit."""
        added: list[str] = []
        left = 0
        for address, label in emails:
            if address in have or self.email_owner.get(address, pk) != pk:
                continue
            if len(have) >= MAX_EMAILS:
                left += 1
                continue
            rows.emails.append((self.account.pk, pk, address, label))
            have.add(address)
            self.email_owner[address] = pk
            added.append(f"email {address}")
        return added, left

    def _merge_tags(self, pk: int, have: set[str], tags: Iterable[str], rows: _Rows) -> list[str]:
        """The ``tags`` saved contact ``pk`` lacks, as rows to insert; what was added, in words."""
        new_tags = [t for t in tags if t not in have]
        for tag in new_tags:
            rows.links.append((pk, self._tag(tag)))
            have.add(tag)
        if not new_tags:
            return []
        return [f"tag{'s' if len(new_tags) > 1 else ''} {', '.join(new_tags)}"]

    def _merge_note(self, item: Incoming, added: list[str], left: LeftOut) -> str:
        """What the contact's timeline says of merging ``item`` into it."""
        note = f"Merged from {self.label}, row {item.row}: added {'; '.join(added)}"
        if left:
            note += f"; left out {left_out_text(left)}"
        return f"{note}."

    def _tag(self, name: str) -> int:
        pk = self.tag_ids.get(name)
        if pk is None:
            pk = Tag.objects.create(account=self.account, name=name).pk
            self.tag_ids[name] = pk
        return pk

    # --- writing a batch ----------------------------------------------------------------------

    def finish(self) -> None:
        """Write what is still gathered."""
        self.write_new()
        self.merge_existing()

    def write_new(self) -> None:
        """Insert this batch's new contacts and their numbers, emails, addresses and tags.

        Plain ``executemany`` with ids reserved up front: building a model instance per row and
        Django's per-value preparation in ``bulk_create`` cost more than the inserts themselves.
        """
        if not self.new:
            return
        account_id = self.account.pk
        now = connection.ops.adapt_datetimefield_value(self.now)
        default, status = Warmth.MET_ONCE.value, ContactStatus.PROSPECT.value
        rows = _Rows()
        contacts = rows.contacts
        for pk, new in self.new.items():
            if isinstance(new, Incoming):
                month, day, year = new.birthday or (None, None, None)
                contacts.append(
                    (pk, account_id, new.first_name, new.last_name, new.company, new.title, new.warmth or default,
                     status, new.notes, month, day, year, new.time_zone, new.country, new.subdivision, False, now,
                     now)
                )  # fmt: skip
                tags: Iterable[str] = new.tags
            else:
                contacts.append(
                    (pk, account_id, new.first_name, new.last_name, new.company, new.title, new.warmth or default,
                     status, new.notes, new.birthday_month, new.birthday_day, new.birthday_year, new.time_zone,
                     new.country, new.subdivision, False, now, now)
                )  # fmt: skip
                tags = sorted(new.tags)
            rows.phones += [(account_id, pk, n, extension, label, False, valid, False)
                       for n, extension, label, valid in new.numbers]  # fmt: skip
            rows.emails += [(account_id, pk, address, label) for address, label in new.emails]
            rows.addresses += [(account_id, pk, *a) for a in new.addresses]
            rows.links += [(pk, self._tag(tag)) for tag in tags]
        rows.write()
        self.new.clear()


@dataclass(slots=True)
class _Rows:
    """Rows to insert, as tuples in the order of each table's columns below."""

    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    phones: list[tuple[Any, ...]] = field(default_factory=list)
    emails: list[tuple[Any, ...]] = field(default_factory=list)
    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)

    def write(self) -> None:
        """Insert them, a plain ``executemany`` per table: building a model instance per row and
        Django's per-value preparation in ``bulk_create`` cost more than the inserts themselves."""
        # The folded search columns (contacts.folded) from the names, company and address.
        contacts = [(*c, folded(c[2], c[3]), folded(c[4])) for c in self.contacts]
        emails = [(*e, folded(e[2])) for e in self.emails]
        with connection.cursor() as cursor:
            for table, columns, rows in (
                (_CONTACT_TABLE, (*_CONTACT_COLUMNS, "search_name", "search_company"), contacts),
                ("contacts_phone", _PHONE_COLUMNS, self.phones),
                ("contacts_email", ("account_id", "contact_id", "address", "label", "search_text"), emails),
                ("contacts_address", _ADDRESS_COLUMNS, self.addresses),
                ("contacts_contact_tags", ("contact_id", "tag_id"), self.links),
            ):
                if rows:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


_CONTACT_TABLE = Contact._meta.db_table
_CONTACT_COLUMNS = (
    "id", "account_id", "first_name", "last_name", "company", "title", "warmth", "status", "notes",
    "birthday_month", "birthday_day", "birthday_year", "time_zone", "country", "subdivision",
    "do_not_contact", "created_at", "updated_at",
)  # fmt: skip
_PHONE_COLUMNS = (
    "account_id",
    "contact_id",
    "number",
    "extension",
    "label",
    "ok_at_work",
    "is_valid",
    "is_bad",
)
_ADDRESS_COLUMNS = ("account_id", "contact_id", "label", "street", "city", "region", "postal_code", "country")


class _ContactIds:
    """Ids for the contacts an import creates, given as rows are taken (so the rows after can
    name them before they are written).

    On SQLite counted on from the highest id ever given: the import's transaction holds the
    database's write lock, so nobody else adds contacts meanwhile. On PostgreSQL drawn from the
    table's sequence, a batch at a time (ids left unused are a gap, as a rollback leaves).
    """

    def __init__(self) -> None:
        self.free: list[int] = []
        self.last: int | None = None
        self.sequence = connection.vendor == "postgresql"

    def next(self) -> int:
        if self.sequence:
            if not self.free:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                        [_CONTACT_TABLE, BATCH],
                    )
                    self.free = [row[0] for row in reversed(cursor.fetchall())]
            return self.free.pop()
        if self.last is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT MAX(v) FROM (SELECT COALESCE(MAX(id), 0) AS v FROM contacts_contact "
                    "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
                    [_CONTACT_TABLE],
                )
                self.last = int(cursor.fetchone()[0])
        self.last += 1
        return self.last


def _shown_name(item: Incoming) -> str:
    """The row's person as a report names them: their name, else company, email or number."""
    full = f"{item.first_name} {item.last_name}".strip()
    return full or item.company or next((e for e, _ in item.emails), "") or item.numbers[0][0]


def left_out_text(left: LeftOut | Mapping[str, Any]) -> str:
    """``3 numbers (a contact keeps at most 20), 1 email (…)``: what was left out, in words (from
    a row's counts, or from a report's entry)."""
    counts = left._asdict() if isinstance(left, LeftOut) else left
    parts = []
    for count, one, cap in (
        (counts["numbers"], "number", MAX_NUMBERS),
        (counts["emails"], "email", MAX_EMAILS),
        (counts["addresses"], "address", MAX_ADDRESSES),
    ):
        if count:
            many = "addresses" if one == "address" else f"{one}s"
            parts.append(f"{count:,} {one if count == 1 else many} (a contact keeps at most {cap})")
    return ", ".join(parts)


#: The kinds of a report's notices: a doubtful match not merged, a value moved or left out.
DOUBTFUL, MOVED = "doubtful", "moved"


def report_notices(entries: Iterable[Mapping[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The notices of a report (``ImportRun.notices``) of one ``kind``, :data:`DOUBTFUL` or
    :data:`MOVED`, without their kind."""
    return [{k: v for k, v in entry.items() if k != "kind"} for entry in entries if entry.get("kind") == kind]


def _known_details(ids: list[int]) -> defaultdict[int, _Known]:
    """What the saved contacts ``ids`` have already, by contact id."""
    known: defaultdict[int, _Known] = defaultdict(_Known)
    # No ordering anywhere (see merge_existing).
    for contact_id, number in (
        Phone.objects.filter(contact_id__in=ids).order_by().values_list("contact_id", "number")
    ):
        known[contact_id].phones.add(number)
    for contact_id, address in (
        Email.objects.filter(contact_id__in=ids).order_by().values_list("contact_id", "address")
    ):
        known[contact_id].emails.add(address)
    for contact_id, street, city, postal_code in (
        Address.objects.filter(contact_id__in=ids)
        .order_by()
        .values_list("contact_id", "street", "city", "postal_code")
    ):
        known[contact_id].addresses.add(address_key(street, city, postal_code))
    for contact_id, tag in (
        Contact.tags.through.objects.filter(contact_id__in=ids)
        .order_by()
        .values_list("contact_id", "tag__name")
    ):
        known[contact_id].tags.add(tag)
    return known


def _gather_addresses(new: _New, addresses: Sequence[PostalAddress]) -> int:
    """Add to a new contact the ``addresses`` it lacks, up to :data:`MAX_ADDRESSES`; how many
    more did not fit."""
    if not addresses:
        return 0
    known = {address_key(a[1], a[2], a[4]) for a in new.addresses}  # at most MAX_ADDRESSES
    left = 0
    for postal in addresses:
        key = address_key(postal[1], postal[2], postal[4])
        if key in known:
            continue
        if len(new.addresses) >= MAX_ADDRESSES:
            left += 1
            continue
        new.addresses.append(postal)
        known.add(key)
    return left


def _merge_addresses(
    account_id: int, pk: int, have: set[tuple[str, str, str]], addresses: Iterable[PostalAddress], rows: _Rows
) -> tuple[list[str], int]:
    """The ``addresses`` saved contact ``pk`` lacks (``have``: their keys), up to
    :data:`MAX_ADDRESSES`, as rows to insert; what was added, and how many more did not fit."""
    added: list[str] = []
    left = 0
    for postal in addresses:
        key = address_key(postal[1], postal[2], postal[4])
        if key in have:
            continue
        if len(have) >= MAX_ADDRESSES:
            left += 1
            continue
        rows.addresses.append((account_id, pk, *postal))
        have.add(key)
        added.append("an address")
    return added, left


def _save_filled(contacts: Collection[_Saved], *, at: datetime) -> None:
    """Write the fields an import filled on saved ``contacts``, updated ``at``."""
    if not contacts:
        return
    now = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_CONTACT_TABLE} SET {', '.join(f'{name} = %s' for name in _FILLED)}, "
            "search_company = %s, updated_at = %s WHERE id = %s",
            [(*(getattr(c, name) for name in _FILLED), folded(c.company), now, c.id) for c in contacts],
        )


def _fill(contact: _New | _Saved, item: Incoming, pk: int) -> tuple[list[str], list[Notice]]:
    """Fill the blank fields of contact ``pk`` from ``item``, append notes it does not have yet
    and raise its warmth; say what changed, and what of ``item`` was left out (a company, title or
    birthday other than the contact's, a cooler warmth, another name: the contact's are kept)."""
    name = _contact_name(contact.first_name, contact.last_name, contact.company, pk)
    changed: list[str] = []
    notices: list[Notice] = []
    for field_name in ("company", "title"):
        have, brings = getattr(contact, field_name), getattr(item, field_name)
        if brings and not have:
            setattr(contact, field_name, brings)
            changed.append(field_name)
        elif brings and brings.casefold() != have.casefold():
            notices.append(
                Notice.of(field_name, brings, f"{name} has {have!r}, which an import keeps; left out")
            )
    notes = item.notes.strip()
    if notes and notes not in contact.notes:
        contact.notes = f"{contact.notes.rstrip()}\n\n{item.notes}" if contact.notes.strip() else item.notes
        changed.append("notes")
    if item.birthday is not None:
        _fill_birthday(contact, Birthday(*item.birthday), name, changed, notices)
    if item.warmth:
        _fill_warmth(contact, item.warmth, name, changed, notices)
    person = meaningful(item.first_name) or meaningful(item.last_name)
    if person and person_key(item.first_name, item.last_name, "") != person_key(
        contact.first_name, contact.last_name, ""
    ):
        notices.append(
            Notice.of("name", _shown_name(item), f"merged into {name}, whose name is kept; left out")
        )
    return changed, notices


def _fill_birthday(
    contact: _Fillable, birthday: Birthday, name: str, changed: list[str], notices: list[Notice]
) -> None:
    """Give the contact ``birthday`` if it has none, or its year if it has the same day without
    one; else note that it was left out, if it is another day."""
    month, day, year = birthday
    if contact.birthday_month is None:
        contact.birthday_month, contact.birthday_day, contact.birthday_year = month, day, year
        changed.append("birthday")
        return
    have = Birthday(contact.birthday_month, contact.birthday_day or 1, contact.birthday_year)
    if (have.month, have.day) != (month, day) or (year is not None and have.year not in (None, year)):
        notices.append(
            Notice.of(
                "birthday", birthday.iso(), f"{name} has {have.words()}, which an import keeps; left out"
            )
        )
    elif year is not None and have.year is None:
        contact.birthday_year = year
        changed.append("birth year")


def _fill_warmth(
    contact: _Fillable, warmth: str, name: str, changed: list[str], notices: list[Notice]
) -> None:
    """Raise the contact's warmth to ``warmth`` (a new one gets it); a cooler one is left out,
    and noted: an import never cools a contact down."""
    if not contact.warmth or warmer(warmth, contact.warmth):
        contact.warmth = warmth
        changed.append(f"warmth {warmth}")
    elif warmth != contact.warmth:
        notices.append(
            Notice.of(
                "warmth",
                warmth,
                f"{name} is {contact.warmth} already; an import only warms a contact up; left out",
            )
        )


def _contact_name(first: str, last: str, company: str, pk: int) -> str:
    """A contact's name as the app shows it: first and last name, else company, else its id."""
    return f"{first} {last}".strip() or company or f"Contact {pk}"


def _named(item: Incoming) -> bool:
    """Whether the row names someone (a person or a company)."""
    return meaningful(item.first_name) or meaningful(item.last_name) or meaningful(item.company)


def _record(
    *,
    account: Account,
    label: str,
    file_format: str,
    status: str,
    started_at: datetime,
    importer: _Importer | None = None,
    error: str = "",
    upload: str = "",
) -> ImportRun:
    counts: Mapping[str, Any] = {}
    if importer is not None and status in (ImportStatus.DONE, ImportStatus.DRY_RUN):
        counts = {
            "rows": importer.rows,
            "created": importer.created,
            "merged": importer.merged,
            "unchanged": importer.unchanged,
            "skipped": importer.skipped,
            "problems": importer.problems,
            "capped": importer.capped,
            "left_out": sorted(importer.left_out.values(), key=lambda entry: entry["row"]),
            "doubtful": importer.doubtful,
            "moved": importer.moved,
            "notices": sorted(importer.notices, key=lambda entry: entry["row"]),
        }
    return ImportRun.objects.create(
        account=account,
        file_name=label[:255],
        file_format=file_format,
        status=status,
        error=error,
        upload=upload,
        started_at=started_at,
        finished_at=clock.now(),
        **counts,
    )


def contacts_import(
    *,
    account: Account,
    path: Path,
    file_format: FileFormat | None = None,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    label: str | None = None,
    progress: Progress | None = None,
    workers: int = 0,
    upload: str = "",
) -> ImportRun:
    """Import a contact file into the account and return its report (kept as an ImportRun).

    With ``workers`` (for big files on a machine with a spare core) the file is read and its rows
    prepared (numbers normalised…) in a second process while this one matches and saves them.

    The format is detected unless given. Rows are streamed (memory stays flat whatever the file
    size) and written in batches in one transaction, the report with them: a crash leaves both
    or neither. With ``dry_run`` everything is worked out and nothing is kept but the report. A
    file that cannot be read raises :class:`ImportFailed` naming the file (and row); a failed or
    interrupted import saves nothing but its report. ``upload``: the token of the uploaded file
    being imported, kept in the report (so a confirm cut short can be told from one that
    finished).
    """
    name = label or path.name
    started = clock.now()
    chosen = str(file_format or "")
    importer: _Importer | None = None
    run: ImportRun | None = None
    seller = Seller(region=account.default_region, time_zone=account.time_zone)
    try:
        with (
            ReadAhead(
                path, seller=seller, file_format=file_format, mapping=mapping, label=name, worker=workers > 0
            ) as rows,
            transaction.atomic(),
            search_index_deferred(connection=connection) as catch_up,
            ExitStack() as later,
        ):
            importer = _Importer(account, name, catch_up)  # while the worker opens the file
            chosen = str(rows.format)
            total = 0
            for number, batch in enumerate(rows):
                for row in batch.rows:
                    importer.take(row)
                total = batch.total_bytes
                if number == 0 and _big(importer.rows, batch.bytes_read, total):
                    later.enter_context(
                        indexes_deferred(connection=connection, tables=_TABLES, keep_leading=("contact_id",))
                    )
                if progress is not None:
                    progress(batch.bytes_read, total, importer.rows)
            importer.finish()
            if progress is not None:
                progress(total, total, importer.rows)
            if importer.created + importer.merged + importer.unchanged == 0:
                raise ImportFailed(_nothing(name, importer))
            if dry_run:
                transaction.set_rollback(True)
            else:
                run = _record(
                    account=account, label=name, file_format=chosen, status=ImportStatus.DONE,
                    started_at=started, importer=importer, upload=upload,
                )  # fmt: skip
    except ImportFailed as exc:
        _record(
            account=account, label=name, file_format=chosen, status=ImportStatus.FAILED, started_at=started,
            error=exc.message, upload=upload,
        )  # fmt: skip
        raise
    except KeyboardInterrupt:
        _record(
            account=account, label=name, file_format=chosen, status=ImportStatus.INTERRUPTED,
            started_at=started, error="interrupted; nothing was imported", upload=upload,
        )  # fmt: skip
        raise
    if run is not None:
        return run
    assert importer is not None
    return _record(
        account=account,
        label=name,
        file_format=chosen,
        status=ImportStatus.DRY_RUN,
        started_at=started,
        importer=importer,
        upload=upload,
    )


#: What the report of an import cut short by a crash says.
CUT_SHORT = "interrupted before it finished (the server stopped); nothing was imported"


def import_run_interrupted(*, account: Account, label: str, upload: str) -> ImportRun:
    """The report of the import of uploaded file ``upload`` that a crash cut short: the one the
    import saved if it finished (it is written in the import's transaction, as its contacts are),
    else a new "interrupted" report saying that nothing was imported, which is true because the
    import is one transaction."""
    kept = import_run_for_upload(account=account, upload=upload)
    if kept is not None:
        return kept
    return _record(
        account=account, label=label, file_format="", status=ImportStatus.INTERRUPTED,
        started_at=clock.now(), error=CUT_SHORT, upload=upload,
    )  # fmt: skip


#: The tables an import adds rows to.
_TABLES = (
    "contacts_contact",
    "contacts_phone",
    "contacts_email",
    "contacts_address",
    "contacts_contact_tags",
)
#: An import of this many rows or more builds the tables' indexes after the rows (see ``bulk``)...
DEFER_INDEXES_ROWS = 20_000


def _big(rows: int, bytes_read: int, total_bytes: int) -> bool:
    """Whether the file, judged by its first batch, adds at least :data:`DEFER_INDEXES_ROWS` rows
    and more than the contact table holds (all accounts): then building the indexes afterwards
    beats inserting into them."""
    if not bytes_read:
        return False
    expected = rows * total_bytes / bytes_read
    return expected >= DEFER_INDEXES_ROWS and expected >= table_rows(connection=connection, table=_TABLES[0])


def _nothing(name: str, importer: _Importer) -> str:
    if not importer.rows:
        return f"{name}: no contacts in the file; nothing was imported"
    first = importer.problems[:3]
    why = "; ".join(f"row {row}: {reason}" for row, reason in first)
    more = f" (and {importer.skipped - len(first)} more)" if importer.skipped > len(first) else ""
    return f"{name}: nothing was imported, no row could be read — {why}{more}"
