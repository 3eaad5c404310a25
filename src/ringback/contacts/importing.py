"""Importing contact files: read, normalise, match existing contacts, merge — all or nothing.

Rows are streamed from the file and written in batches inside one transaction: an import that
fails or is interrupted (Ctrl-C, a killed process) leaves the database as it was. A row that
matches an existing contact by a normalised number or email address (or, with neither, by its
exact name) is merged into it: new numbers, emails, addresses and tags are added, blank fields
filled, nothing already there is overwritten, and the merge is written to the contact's
timeline. Importing the same file twice therefore changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from ringback.accounts.models import Account
from ringback.contacts.choices import ContactStatus, EmailLabel, ImportStatus, PhoneLabel, Warmth
from ringback.contacts.models import Address, Contact, Email, ImportRun, Phone, Tag
from ringback.contacts.search_index import search_index_deferred
from ringback.core import clock
from ringback.core.errors import ImportFailed
from ringback.core.interchange import Card, CardAddress, FileFormat, RowProblem
from ringback.core.interchange.readers import open_cards
from ringback.core.phones import ParsedPhone, ignore_interrupts, parse_phone, parse_phones
from ringback.core.places import state_code, zone_for_region

log = logging.getLogger(__name__)

#: Rows written per batch (one set of INSERTs per table per batch).
BATCH = 1000
#: Skipped rows listed one by one in a report; beyond this only counted.
PROBLEMS_KEPT = 10_000

_LIMITS = {"first_name": 100, "last_name": 100, "company": 200, "title": 200}
_ADDRESS_LIMITS = {"label": 20, "city": 100, "region": 100, "postal_code": 20, "country": 100}

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class _New:
    """A contact this import creates (written at the end of its batch, with an id then)."""

    row: int
    first_name: str
    last_name: str
    company: str
    title: str
    notes: str
    birthday_month: int | None
    birthday_day: int | None
    birthday_year: int | None
    time_zone: str
    country: str
    subdivision: str
    phones: list[tuple[str, str, str, bool]] = field(default_factory=list)  # number, ext, label, valid
    emails: list[tuple[str, str]] = field(default_factory=list)  # address, label
    addresses: list[CardAddress] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    pk: int = 0


@dataclass
class _Incoming:
    """A card made ready: numbers parsed, emails normalised, fields checked."""

    card: Card
    first_name: str
    numbers: list[tuple[str, ParsedPhone, str]]  # (label, parsed, extension)
    emails: list[tuple[str, str]]  # (address, label)
    addresses: list[CardAddress]
    tags: list[str]


Owner = int | _New


def _address_key(street: str, city: str, postal_code: str) -> tuple[str, str, str]:
    return (street.casefold().strip(), city.casefold().strip(), postal_code.casefold().replace(" ", ""))


def _name_key(first: str, last: str, company: str) -> str:
    return f"{first.casefold().strip()}|{last.casefold().strip()}|{company.casefold().strip()}"


_PHONE_LABELS = frozenset(PhoneLabel.values)
_EMAIL_LABELS = frozenset(EmailLabel.values)


def _phone_label(label: str) -> str:
    return label if label in _PHONE_LABELS else PhoneLabel.OTHER


def _email_label(label: str) -> str:
    return label if label in _EMAIL_LABELS else EmailLabel.OTHER


class _Importer:
    def __init__(self, account: Account, label: str, indexed: Callable[[], None]) -> None:
        self.account = account
        self.indexed = indexed
        #: Numbers of the cards being taken, normalised ahead (by the number worker), by text.
        self.parsed: dict[str, ParsedPhone] = {}
        self.label = label
        self.now = clock.now()
        #: Who has each working number (numbers kept as written match nobody: two people may
        #: both have "ask at the bakery").
        self.phone_owner: dict[str, Owner] = dict(
            Phone.objects.filter(account=account, is_valid=True).values_list("number", "contact_id")
        )
        self.email_owner: dict[str, Owner] = dict(
            Email.objects.filter(account=account).values_list("address", "contact_id")
        )
        self.name_owner: dict[str, Owner] = {
            _name_key(first, last, company): pk
            for pk, first, last, company in Contact.objects.filter(account=account).values_list(
                "id", "first_name", "last_name", "company"
            )
        }
        self.tag_ids: dict[str, int] = dict(Tag.objects.filter(account=account).values_list("name", "id"))
        self.new: list[_New] = []
        self.merges: dict[int, list[_Incoming]] = {}
        self.created = self.merged = self.unchanged = self.skipped = self.rows = 0
        self.problems: list[list[Any]] = []

    # --- reading ------------------------------------------------------------------------------

    def skip(self, row: int, reason: str) -> None:
        self.skipped += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append([row, reason])

    def prepare(self, card: Card) -> _Incoming | None:
        first = " ".join(p for p in (card.first_name.strip(), card.middle_name.strip()) if p)
        values = {
            "first_name": first,
            "last_name": card.last_name,
            "company": card.company,
            "title": card.title,
        }
        for name, limit in _LIMITS.items():
            if len(values[name].strip()) > limit:
                self.skip(card.row, f"{name.replace('_', ' ')}: longer than {limit} characters")
                return None
        numbers: list[tuple[str, ParsedPhone, str]] = []
        seen: set[str] = set()
        for phone in card.phones:
            if not phone.value.strip():
                continue
            parsed = self.parsed.get(phone.value) or parse_phone(phone.value, self.account.default_region)
            extension = phone.extension or parsed.extension
            if len(parsed.number) > 64 or len(extension) > 20:
                self.skip(card.row, f"phone: {phone.value[:40]!r} is too long to be a number")
                return None
            if parsed.number not in seen:
                seen.add(parsed.number)
                numbers.append((_phone_label(phone.label), parsed, extension))
        emails: list[tuple[str, str]] = []
        for email in card.emails:
            text = email.address.strip().lower()
            if not text or any(a == text for a, _ in emails):
                continue
            if len(text) > 254:
                self.skip(card.row, "email: longer than 254 characters")
                return None
            emails.append((text, _email_label(email.label)))
        for postal in card.addresses:
            for name, limit in _ADDRESS_LIMITS.items():
                if len(getattr(postal, name)) > limit:
                    self.skip(card.row, f"address {name.replace('_', ' ')}: longer than {limit} characters")
                    return None
        tags = sorted({t.strip() for t in card.tags if t.strip()})
        if any(len(t) > 100 for t in tags):
            self.skip(card.row, "tags: a tag is longer than 100 characters")
            return None
        if not (first or card.last_name.strip() or card.company.strip() or numbers or emails):
            self.skip(card.row, "no name, phone or email")
            return None
        addresses = [a for a in card.addresses if not a.empty]
        return _Incoming(card, first, numbers, emails, addresses, tags)

    def owner(self, item: _Incoming) -> Owner | None:
        working = [parsed for _, parsed, _ in item.numbers if parsed.valid]
        for parsed in working:
            found = self.phone_owner.get(parsed.number)
            if found is not None:
                return found
        for address, _ in item.emails:
            found = self.email_owner.get(address)
            if found is not None:
                return found
        if not working and not item.emails:
            return self.name_owner.get(_name_key(item.first_name, item.card.last_name, item.card.company))
        return None

    def take(self, card: Card) -> None:
        self.rows += 1
        item = self.prepare(card)
        if item is None:
            return
        owner = self.owner(item)
        if owner is None:
            self.create(item)
        elif isinstance(owner, _New):
            if self.merge_new(owner, item):
                self.merged += 1
            else:
                self.unchanged += 1
        else:
            self.merges.setdefault(owner, []).append(item)

    # --- new contacts -------------------------------------------------------------------------

    def _zone(self, item: _Incoming) -> tuple[str, str, str]:
        """Time zone, country and state: from the first number that tells, the address where the
        number spans several zones, else the seller's."""
        account = self.account
        valid = [p for _, p, _ in item.numbers if p.valid]
        located = next((p for p in valid if p.zone), valid[0] if valid else None)
        address = item.addresses[0] if item.addresses else None
        country = (located.region if located and located.region else "") or account.default_region
        subdivision = located.subdivision if located and located.subdivision else ""
        if address and not subdivision:
            subdivision = state_code(country, address.region) or ""
        if located and located.zone:
            return located.zone, country, subdivision
        by_address = zone_for_region(country, address.region) if address else None
        if by_address and (located is None or not located.zones or by_address in located.zones):
            return by_address, country, subdivision
        if located is None or located.region == account.default_region or not located.zones:
            return account.time_zone, country, subdivision
        return located.zones[0], country, subdivision

    def create(self, item: _Incoming) -> None:
        card = item.card
        zone, country, subdivision = self._zone(item)
        birthday = card.birthday
        new = _New(
            row=card.row,
            first_name=item.first_name,
            last_name=card.last_name.strip(),
            company=card.company.strip(),
            title=card.title.strip(),
            notes=card.notes,
            birthday_month=birthday.month if birthday else None,
            birthday_day=birthday.day if birthday else None,
            birthday_year=birthday.year if birthday else None,
            time_zone=zone,
            country=country[:2],
            subdivision=subdivision[:10],
            tags=set(item.tags),
        )
        self.created += 1
        self.new.append(new)
        self.name_owner.setdefault(_name_key(new.first_name, new.last_name, new.company), new)
        self.merge_new(new, item)

    def _phone(self, contact: Contact, label: str, parsed: ParsedPhone, extension: str) -> Phone:
        return Phone(
            account=self.account,
            contact=contact,
            number=parsed.number,
            extension=extension,
            label=label,
            is_valid=parsed.valid,
        )

    def _address(self, contact: Contact, address: CardAddress) -> Address:
        return Address(
            account=self.account,
            contact=contact,
            label=address.label,
            street=address.street,
            city=address.city,
            region=address.region,
            postal_code=address.postal_code,
            country=address.country,
        )

    def merge_new(self, new: _New, item: _Incoming) -> bool:
        """Add what ``item`` brings to a contact created by this import; whether it added anything."""
        changed = False
        for label, parsed, extension in item.numbers:
            if parsed.valid and parsed.number not in self.phone_owner:
                self.phone_owner[parsed.number] = new
            elif parsed.valid or any(number == parsed.number for number, *_ in new.phones):
                continue
            new.phones.append((parsed.number, extension, label, parsed.valid))
            changed = True
        for email, label in item.emails:
            if email not in self.email_owner:
                new.emails.append((email, label))
                self.email_owner[email] = new
                changed = True
        known = {_address_key(a.street, a.city, a.postal_code) for a in new.addresses}
        for postal in item.addresses:
            key = _address_key(postal.street, postal.city, postal.postal_code)
            if key not in known:
                new.addresses.append(postal)
                known.add(key)
                changed = True
        if not set(item.tags) <= new.tags:
            new.tags |= set(item.tags)
            changed = True
        return bool(_fill(new, item)) or changed

    # --- merging into contacts already in the book --------------------------------------------

    def merge_existing(self) -> None:
        if not self.merges:
            return
        from ringback.activities.choices import Channel, Direction, Outcome
        from ringback.activities.models import Touch

        ids = list(self.merges)
        # No ordering anywhere: with one, SQLite walks the ordering's index over the whole
        # account instead of looking the few ids up.
        contacts = Contact.objects.filter(account=self.account, pk__in=ids).order_by()
        known: dict[str, defaultdict[int, set[Any]]] = {
            k: defaultdict(set) for k in ("phones", "emails", "addresses", "tags")
        }
        for contact_id, number in (
            Phone.objects.filter(contact_id__in=ids).order_by().values_list("contact_id", "number")
        ):
            known["phones"][contact_id].add(number)
        for contact_id, address in (
            Email.objects.filter(contact_id__in=ids).order_by().values_list("contact_id", "address")
        ):
            known["emails"][contact_id].add(address)
        for contact_id, street, city, postal_code in (
            Address.objects.filter(contact_id__in=ids)
            .order_by()
            .values_list("contact_id", "street", "city", "postal_code")
        ):
            known["addresses"][contact_id].add(_address_key(street, city, postal_code))
        for contact_id, tag in (
            Contact.tags.through.objects.filter(contact_id__in=ids)
            .order_by()
            .values_list("contact_id", "tag__name")
        ):
            known["tags"][contact_id].add(tag)
        phones: list[Phone] = []
        emails: list[Email] = []
        addresses: list[Address] = []
        links: list[Any] = []
        touches: list[Touch] = []
        updated: list[Contact] = []
        for contact in contacts:
            have_phones = known["phones"][contact.pk]
            have_emails = known["emails"][contact.pk]
            have_addresses = known["addresses"][contact.pk]
            have_tags = known["tags"][contact.pk]
            for item in self.merges[contact.pk]:
                added: list[str] = []
                for label, parsed, extension in item.numbers:
                    taken = parsed.valid and parsed.number in self.phone_owner
                    if parsed.number not in have_phones and not taken:
                        phones.append(self._phone(contact, label, parsed, extension))
                        have_phones.add(parsed.number)
                        if parsed.valid:
                            self.phone_owner[parsed.number] = contact.pk
                        added.append(f"phone {parsed.number}")
                for address, label in item.emails:
                    if address not in have_emails and address not in self.email_owner:
                        emails.append(
                            Email(account=self.account, contact=contact, address=address, label=label)
                        )
                        have_emails.add(address)
                        self.email_owner[address] = contact.pk
                        added.append(f"email {address}")
                for postal in item.addresses:
                    key = _address_key(postal.street, postal.city, postal.postal_code)
                    if key not in have_addresses:
                        addresses.append(self._address(contact, postal))
                        have_addresses.add(key)
                        added.append("an address")
                new_tags = [t for t in item.tags if t not in have_tags]
                for tag in new_tags:
                    links.append(Contact.tags.through(contact_id=contact.pk, tag_id=self._tag(tag)))
                    have_tags.add(tag)
                if new_tags:
                    added.append(f"tag{'s' if len(new_tags) > 1 else ''} {', '.join(new_tags)}")
                filled = _fill(contact, item)
                if filled:
                    added += filled
                    if contact not in updated:
                        updated.append(contact)
                if not added:
                    self.unchanged += 1
                    continue
                self.merged += 1
                touches.append(
                    Touch(
                        account=self.account,
                        contact=contact,
                        channel=Channel.NOTE,
                        direction=Direction.IN,
                        outcome=Outcome.NOTE,
                        note=f"Merged from {self.label}, row {item.card.row}: added {'; '.join(added)}.",
                        at=self.now,
                        created_at=self.now,
                    )
                )
        Phone.objects.bulk_create(phones)
        Email.objects.bulk_create(emails)
        Address.objects.bulk_create(addresses)
        Contact.tags.through.objects.bulk_create(links)
        Touch.objects.bulk_create(touches)
        for contact in updated:
            contact.updated_at = self.now
        Contact.objects.bulk_update(updated, [*_FILLED, "updated_at"])
        self.merges.clear()

    def _tag(self, name: str) -> int:
        pk = self.tag_ids.get(name)
        if pk is None:
            pk = Tag.objects.create(account=self.account, name=name).pk
            self.tag_ids[name] = pk
        return pk

    # --- writing a batch ----------------------------------------------------------------------

    def flush(self) -> None:
        if self.new:
            self.write_new()
            self.indexed()  # merges below may update contacts written by an earlier batch
        self.merge_existing()
        self.indexed()

    def write_new(self) -> None:
        """Insert this batch's new contacts and their numbers, emails, addresses and tags.

        Plain ``executemany`` with ids reserved up front: building a model instance per row and
        Django's per-value preparation in ``bulk_create`` cost more than the inserts themselves.
        """
        account_id = self.account.pk
        now = connection.ops.adapt_datetimefield_value(self.now)
        for new, pk in zip(self.new, _reserve_contact_ids(len(self.new)), strict=True):
            new.pk = pk
        contacts, phones, emails, addresses, links = [], [], [], [], []
        for new in self.new:
            pk = new.pk
            contacts.append(
                (pk, account_id, new.first_name, new.last_name, new.company, new.title, Warmth.MET_ONCE,
                 ContactStatus.PROSPECT, new.notes, new.birthday_month, new.birthday_day, new.birthday_year,
                 new.time_zone, new.country, new.subdivision, False, now, now)
            )  # fmt: skip
            for number, extension, label, valid in new.phones:
                phones.append((account_id, pk, number, extension, label, False, valid, False))
                if valid:
                    self.phone_owner[number] = pk
            for address, label in new.emails:
                emails.append((account_id, pk, address, label))
                self.email_owner[address] = pk
            addresses += [
                (account_id, pk, a.label, a.street, a.city, a.region, a.postal_code, a.country)
                for a in new.addresses
            ]
            links += [(pk, self._tag(tag)) for tag in sorted(new.tags)]
            key = _name_key(new.first_name, new.last_name, new.company)
            if self.name_owner.get(key) is new:
                self.name_owner[key] = pk
        with connection.cursor() as cursor:
            for table, columns, rows in (
                (_CONTACT_TABLE, _CONTACT_COLUMNS, contacts),
                ("contacts_phone", _PHONE_COLUMNS, phones),
                ("contacts_email", ("account_id", "contact_id", "address", "label"), emails),
                ("contacts_address", _ADDRESS_COLUMNS, addresses),
                ("contacts_contact_tags", ("contact_id", "tag_id"), links),
            ):
                if rows:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        self.new.clear()


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


def _reserve_contact_ids(count: int) -> list[int]:
    """``count`` unused contact ids, above every id ever given (inside the import's transaction,
    which holds SQLite's write lock; from the sequence on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [_CONTACT_TABLE, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT MAX(v) FROM (SELECT COALESCE(MAX(id), 0) AS v FROM contacts_contact "
            "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [_CONTACT_TABLE],
        )
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


#: Contact fields an import fills when they are blank (never overwrites).
_FILLED = ("company", "title", "notes", "birthday_month", "birthday_day", "birthday_year")


def _fill(contact: Contact | _New, item: _Incoming) -> list[str]:
    """Fill the contact's blank fields from ``item`` and append notes it does not have yet;
    say what changed."""
    card, changed = item.card, []
    if not contact.company and card.company.strip():
        contact.company = card.company.strip()
        changed.append("company")
    if not contact.title and card.title.strip():
        contact.title = card.title.strip()
        changed.append("title")
    notes = card.notes.strip()
    if notes and notes not in contact.notes:
        contact.notes = f"{contact.notes.rstrip()}\n\n{card.notes}" if contact.notes.strip() else card.notes
        changed.append("notes")
    birthday = card.birthday
    if birthday and contact.birthday_month is None:
        contact.birthday_month, contact.birthday_day = birthday.month, birthday.day
        contact.birthday_year = birthday.year
        changed.append("birthday")
    elif (
        birthday
        and birthday.year is not None
        and contact.birthday_year is None
        and (contact.birthday_month, contact.birthday_day) == (birthday.month, birthday.day)
    ):
        contact.birthday_year = birthday.year
        changed.append("birth year")
    return changed


def _record(
    *,
    account: Account,
    label: str,
    file_format: str,
    status: str,
    started_at: datetime,
    importer: _Importer | None = None,
    error: str = "",
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
        }
    return ImportRun.objects.create(
        account=account,
        file_name=label[:255],
        file_format=file_format,
        status=status,
        error=error,
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
) -> ImportRun:
    """Import a contact file into the account and return its report (kept as an ImportRun).

    With ``workers`` (for big files on a machine with a spare core) phone numbers are normalised
    in a second process, a batch ahead of the rows being matched and written.

    The format is detected unless given. Rows are streamed (memory stays flat whatever the file
    size) and written in batches in one transaction; with ``dry_run`` everything is worked out
    and nothing is kept but the report. A file that cannot be read raises :class:`ImportFailed`
    naming the file (and row); a failed or interrupted import saves nothing but its report.
    """
    name = label or path.name
    started = clock.now()
    chosen = str(file_format or "")
    importer: _Importer | None = None
    try:
        with open_cards(path, file_format=file_format, mapping=mapping, label=name) as reader:
            chosen = str(reader.format)
            with transaction.atomic(), search_index_deferred(connection=connection) as catch_up:
                importer = _Importer(account, name, catch_up)
                with _NumberWorker(account.default_region, start=workers > 0) as numbers:
                    for chunk, parsed in numbers.ahead(reader):
                        importer.parsed = parsed
                        for record in chunk:
                            if isinstance(record, RowProblem):
                                importer.rows += 1
                                where = f"{record.field}: " if record.field else ""
                                importer.skip(record.row, f"{where}{record.reason}")
                                continue
                            importer.take(record)
                            if len(importer.new) + len(importer.merges) >= BATCH:
                                importer.flush()
                        if progress is not None:
                            progress(reader.bytes_read, reader.total_bytes)
                importer.flush()
                if progress is not None:
                    progress(reader.total_bytes, reader.total_bytes)
                if importer.created + importer.merged + importer.unchanged == 0:
                    raise ImportFailed(_nothing(name, importer))
                if dry_run:
                    transaction.set_rollback(True)
    except ImportFailed as exc:
        _record(
            account=account, label=name, file_format=chosen, status=ImportStatus.FAILED, started_at=started,
            error=exc.message,
        )  # fmt: skip
        raise
    except KeyboardInterrupt:
        _record(
            account=account, label=name, file_format=chosen, status=ImportStatus.INTERRUPTED,
            started_at=started, error="interrupted; nothing was imported",
        )  # fmt: skip
        raise
    assert importer is not None
    return _record(
        account=account,
        label=name,
        file_format=chosen,
        status=ImportStatus.DRY_RUN if dry_run else ImportStatus.DONE,
        started_at=started,
        importer=importer,
    )


def _batches(records: Iterable[Card | RowProblem]) -> Iterator[list[Card | RowProblem]]:
    """The records in lists of :data:`BATCH` (itertools.batched arrives with Python 3.12)."""
    it = iter(records)
    while chunk := list(islice(it, BATCH)):
        yield chunk


class _NumberWorker:
    """Normalises the numbers of the next batch of cards while the current one is imported.

    Without a worker process (``start=False``) numbers are parsed as cards are taken. With one,
    the importing process reads the file and writes rows while the worker runs ``parse_phones``
    (the two costliest parts of an import then use both cores). Batches come back in file order.
    """

    def __init__(self, region: str, *, start: bool) -> None:
        self.region = region
        self.pool = (
            ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=ignore_interrupts)
            if start
            else None
        )

    def __enter__(self) -> _NumberWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=exc[0] is None, cancel_futures=True)

    def ahead(
        self, records: Iterable[Card | RowProblem]
    ) -> Iterator[tuple[list[Card | RowProblem], dict[str, ParsedPhone]]]:
        """The records in batches, each with its numbers already normalised (by text)."""
        if self.pool is None:
            for chunk in _batches(records):
                yield chunk, {}
            return
        pending: deque[tuple[list[Card | RowProblem], list[str], Future[list[ParsedPhone]]]] = deque()
        for cards in _batches(records):
            raws = list(
                dict.fromkeys(
                    p.value for c in cards if isinstance(c, Card) for p in c.phones if p.value.strip()
                )
            )
            pending.append((cards, raws, self.pool.submit(parse_phones, raws, self.region)))
            if len(pending) > 2:
                yield self._done(pending.popleft())
        while pending:
            yield self._done(pending.popleft())

    @staticmethod
    def _done(
        item: tuple[list[Card | RowProblem], list[str], Future[list[ParsedPhone]]],
    ) -> tuple[list[Card | RowProblem], dict[str, ParsedPhone]]:
        cards, raws, future = item
        return cards, dict(zip(raws, future.result(), strict=True))


def _nothing(name: str, importer: _Importer) -> str:
    if not importer.rows:
        return f"{name}: no contacts in the file; nothing was imported"
    first = importer.problems[:3]
    why = "; ".join(f"row {row}: {reason}" for row, reason in first)
    more = f" (and {importer.skipped - len(first)} more)" if importer.skipped > len(first) else ""
    return f"{name}: nothing was imported, no row could be read — {why}{more}"
