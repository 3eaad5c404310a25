"""Cards made ready to import: fields checked, numbers normalised, emails lowered, place found.

Everything here depends on the card and the seller's region and time zone only, never on the
contacts already saved, so it runs wherever is cheapest: in the importing process, or in a
worker process that reads the file and sends the prepared rows over (``incoming_batches``).
Matching the rows with saved contacts and writing them is the contacts app's job.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import NamedTuple, TypeVar

from ringback.core.interchange.cards import open_cards
from ringback.core.interchange.records import Card, FileFormat, Notice, RowProblem
from ringback.core.interchange.values import WARMTHS, meaningful, read_warmth
from ringback.core.phones import ParsedPhone, PhoneLabel, parse_phone
from ringback.core.places import contact_place

__all__ = [
    "LIMITS",
    "MAX_ADDRESSES",
    "MAX_EMAILS",
    "MAX_NUMBERS",
    "Incoming",
    "IncomingBatch",
    "LeftOut",
    "first_unique",
    "incoming_batches",
    "incoming_from_card",
    "person_key",
]

#: Longest text each field may hold (the contact tables' column sizes).
LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "company": 200,
    "title": 200,
    "phone": 64,
    "extension": 20,
    "email": 254,
    "tag": 100,
    "address label": 20,
    "address city": 100,
    "address region": 100,
    "address postal code": 20,
    "address country": 100,
}
EMAIL_LABELS = frozenset({"home", "work", "other"})
_PHONE_LABELS = frozenset(label.value for label in PhoneLabel)

#: Rows per batch read ahead.
BATCH = 1000

#: The most phone numbers a contact keeps: a person has a few; a cell of thousands is a mistake
#: (or an attack) whose numbers would make the contact unusable and the import slow.
MAX_NUMBERS = 20
#: The most email addresses a contact keeps.
MAX_EMAILS = 20
#: The most postal addresses a contact keeps.
MAX_ADDRESSES = 10

T = TypeVar("T")


def first_unique(
    values: Iterable[T], *, key: Callable[[T], Hashable], limit: int | None = None
) -> tuple[list[T], int]:
    """The values whose ``key`` no earlier value had, in their order (the first occurrence of each
    key wins), at most ``limit`` of them; and how many more different keys came after the limit
    was reached (left out). Linear: each key is looked up once in a set."""
    kept: list[T] = []
    seen: set[Hashable] = set()
    left_out = 0
    for value in values:
        found = key(value)
        if found in seen:
            continue
        seen.add(found)
        if limit is not None and len(kept) >= limit:
            left_out += 1
        else:
            kept.append(value)
    return kept, left_out


class LeftOut(NamedTuple):
    """How many different numbers, emails and addresses of a row were beyond a contact's caps
    (:data:`MAX_NUMBERS`, :data:`MAX_EMAILS`, :data:`MAX_ADDRESSES`) and so not imported."""

    numbers: int = 0
    emails: int = 0
    addresses: int = 0

    def __bool__(self) -> bool:
        return any(self)


Birthday = tuple[int, int, int | None]  # month, day, year
Number = tuple[
    str, str, str, bool
]  # number (E.164, or as written when it won't parse), extension, label, valid
Address = tuple[str, str, str, str, str, str]  # label, street, city, region, postal code, country


class Incoming(NamedTuple):
    """One person from a file, ready to be matched and saved (a tuple: cheap to send between
    processes)."""

    row: int
    first_name: str  # with the middle name, which contacts have no field for
    last_name: str
    company: str
    title: str
    notes: str
    birthday: Birthday | None
    numbers: tuple[Number, ...]  # without repeats
    emails: tuple[tuple[str, str], ...]  # lower-case address, label; without repeats
    addresses: tuple[Address, ...]  # not empty ones; without repeats
    tags: tuple[str, ...]  # sorted, without repeats
    time_zone: str
    country: str
    subdivision: str
    left_out: LeftOut = LeftOut()  # beyond the caps, not imported
    warmth: str = ""  # one of WARMTHS, or "" when the row says none
    notices: tuple[Notice, ...] = ()  # values moved to the notes or left out


def address_key(street: str, city: str, postal_code: str) -> tuple[str, str, str]:
    """What makes two addresses the same one."""
    return (street.casefold().strip(), city.casefold().strip(), postal_code.casefold().replace(" ", ""))


def name_key(first: str, last: str, company: str) -> str:
    """What makes two people with neither number nor email the same one."""
    return f"{first.casefold().strip()}|{last.casefold().strip()}|{company.casefold().strip()}"


def person_key(first: str, last: str, company: str) -> str:
    """What makes two people who share a line (an office or a home number) the same person: their
    first and last name, or with neither their company (marked apart: a company is not a person
    of that name), ignoring case, accents, punctuation and spacing; "" when there is no name."""
    person = meaningful(first) or meaningful(last)
    name = f"{first} {last}" if person else company
    folded = unicodedata.normalize("NFKD", name.casefold())
    words = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c)).split()
    if not words:
        return ""
    return " ".join(words) if person else "@" + " ".join(words)


@dataclass(frozen=True, slots=True)
class Seller:
    """What preparing a row needs to know of the account: where its numbers are dialled from."""

    region: str
    time_zone: str


def incoming_from_card(
    card: Card, *, seller: Seller, parsed: Mapping[str, ParsedPhone] | None = None
) -> Incoming | RowProblem:
    """The card made ready to import, or the reason it is skipped (a field too long for its
    column, or a row that holds no person: no name, no email and no number that can be dialled).
    ``parsed``: numbers already normalised, by their text."""
    first = " ".join(p for p in (card.first_name.strip(), card.middle_name.strip()) if p)
    last, company, title = card.last_name.strip(), card.company.strip(), card.title.strip()
    for name, value in (("first_name", first), ("last_name", last), ("company", company), ("title", title)):
        if len(value) > LIMITS[name]:
            return RowProblem(card.row, f"{name.replace('_', ' ')}: longer than {LIMITS[name]} characters")
    numbers, located, left_numbers = _numbers(card, seller, parsed)
    if isinstance(numbers, RowProblem):
        return numbers
    kept_emails, left_emails = first_unique(
        (email for email in card.emails if email.address.strip()),
        key=lambda email: email.address.strip().lower(),
        limit=MAX_EMAILS,
    )
    emails = [
        (email.address.strip().lower(), email.label if email.label in EMAIL_LABELS else "other")
        for email in kept_emails
    ]
    for text, _ in emails:
        if len(text) > LIMITS["email"]:
            return RowProblem(card.row, f"email: longer than {LIMITS['email']} characters")
    postal_kept, left_addresses = first_unique(
        (postal for postal in card.addresses if not postal.empty),
        key=lambda postal: address_key(postal.street, postal.city, postal.postal_code),
        limit=MAX_ADDRESSES,
    )
    for postal in postal_kept:
        for name, value in (("label", postal.label), ("city", postal.city), ("region", postal.region),
                            ("postal code", postal.postal_code), ("country", postal.country)):  # fmt: skip
            if len(value) > LIMITS[f"address {name}"]:
                return RowProblem(
                    card.row, f"address {name}: longer than {LIMITS[f'address {name}']} characters"
                )
    addresses: list[Address] = [
        (postal.label, postal.street, postal.city, postal.region, postal.postal_code, postal.country)
        for postal in postal_kept
    ]
    tags = tuple(sorted({t.strip() for t in card.tags if t.strip()}))
    if any(len(t) > LIMITS["tag"] for t in tags):
        return RowProblem(card.row, f"tags: a tag is longer than {LIMITS['tag']} characters")
    if not (meaningful(first) or meaningful(last) or meaningful(company) or emails):
        nobody = _no_person(card.row, numbers)
        if nobody is not None:
            return nobody
    warmth, tags, notices = (
        _warmth(card.warmth, tags, card.notices) if card.warmth or tags else ("", tags, card.notices)
    )
    zone, country, subdivision = contact_place(
        located,
        region=addresses[0][3] if addresses else None,
        seller_region=seller.region,
        seller_zone=seller.time_zone,
    )
    birthday = card.birthday
    return Incoming(
        row=card.row,
        first_name=first,
        last_name=last,
        company=company,
        title=title,
        notes=card.notes,
        birthday=(birthday.month, birthday.day, birthday.year) if birthday else None,
        numbers=tuple(numbers),
        emails=tuple(emails),
        addresses=tuple(addresses),
        tags=tags,
        time_zone=zone,
        country=country[:2],
        subdivision=subdivision[:10],
        left_out=LeftOut(left_numbers, left_emails, left_addresses),
        warmth=warmth,
        notices=notices,
    )


def _no_person(row: int, numbers: list[Number]) -> RowProblem | None:
    """Why row ``row``, with no name and no email, is skipped: it has no number either, or none
    that can be dialled (a junk row would otherwise be a nameless "Contact 239"); None if one of
    its ``numbers`` can be."""
    if not numbers:
        return RowProblem(row, "no name, phone or email")
    if any(number[3] for number in numbers):
        return None
    text = numbers[0][0]
    shown = text if len(text) <= 40 else text[:39] + "…"
    return RowProblem(
        row, f"no name, no email and no number that can be dialled ({shown!r} is not a phone number)"
    )


#: Why a warmth that names none is left out.
NOT_A_WARMTH = f"not a warmth ({', '.join(WARMTHS[:-1])} or {WARMTHS[-1]}); left out"
#: The tags that name a warmth, as a seller may write them (casefolded), and the warmth.
_WARMTH_TAGS = {
    spelled + plural: warmth
    for warmth in WARMTHS
    for spelled in {warmth, warmth.replace("-", " "), warmth.replace("-", ""), warmth.replace("-", "_")}
    for plural in ("", "s")
}


def _warmth(
    written: str, tags: tuple[str, ...], notices: tuple[Notice, ...]
) -> tuple[str, tuple[str, ...], tuple[Notice, ...]]:
    """The row's warmth ("" if it gives none), its tags without those that say its warmth, and
    ``notices`` with what was left out.

    The warmth column says it first, then a tag ``warmth:VALUE`` (not kept as a tag), then the
    warmest of the tags that name a warmth ("Customer", "met once"; kept as tags). A value that
    names no warmth, and a ``warmth:`` tag that says otherwise than the warmth kept, are left out
    with a notice."""
    said: list[Notice] = []
    column = read_warmth(written) if written else None
    if written and column is None:
        said.append(Notice.of("warmth", written, NOT_A_WARMTH))
    kept: list[str] = []
    explicit: list[tuple[str, str]] = []  # (tag, warmth)
    named = ""
    for tag in tags:
        folded = tag.casefold()
        if folded.startswith("warmth") and folded[6:].lstrip()[:1] in (":", "="):
            value = read_warmth(tag.split(":" if ":" in tag else "=", 1)[1])
            if value is None:
                said.append(Notice.of("tags", tag, NOT_A_WARMTH))
            else:
                explicit.append((tag, value))
            continue
        kept.append(tag)
        found = _WARMTH_TAGS.get(folded)
        if found is not None and (not named or WARMTHS.index(found) > WARMTHS.index(named)):
            named = found
    warmth = column or (explicit[0][1] if explicit else named)
    said += [
        Notice.of("tags", tag, f"the row's warmth is {warmth}; left out")
        for tag, value in explicit
        if value != warmth
    ]
    return warmth, tuple(kept) if len(kept) < len(tags) else tags, notices + tuple(said) if said else notices


def _numbers(
    card: Card, seller: Seller, parsed: Mapping[str, ParsedPhone] | None
) -> tuple[list[Number] | RowProblem, list[ParsedPhone], int]:
    """The card's numbers without repeats (the same number however written: the first one wins),
    at most :data:`MAX_NUMBERS` of them; the valid ones among them (to place the contact); and how
    many different texts came after the cap. Past the cap numbers are not normalised (the costly
    part), so a text left out may be a number kept, written another way: it is counted anyway."""
    numbers: dict[str, Number] = {}
    located: list[ParsedPhone] = []
    texts: set[str] = set()
    left_out = 0
    for phone in card.phones:
        text = phone.value
        if text in texts or not text.strip():
            continue
        texts.add(text)
        if len(numbers) >= MAX_NUMBERS:
            left_out += 1
            continue
        number = (parsed or {}).get(text) or parse_phone(text, seller.region)
        extension = phone.extension or number.extension
        if len(number.number) > LIMITS["phone"] or len(extension) > LIMITS["extension"]:
            return RowProblem(card.row, f"phone: {text[:40]!r} is too long to be a number"), [], 0
        if number.number not in numbers:
            label = phone.label if phone.label in _PHONE_LABELS else PhoneLabel.OTHER.value
            numbers[number.number] = (number.number, extension, label, number.valid)
            if number.valid:
                located.append(number)
    return list(numbers.values()), located, left_out


class IncomingBatch(NamedTuple):
    """Up to :data:`BATCH` rows of a file, prepared, and how far reading has got."""

    rows: list[Incoming | RowProblem]
    bytes_read: int
    total_bytes: int


def incoming_batches(
    path: Path,
    *,
    seller: Seller,
    file_format: FileFormat | None = None,
    mapping: Mapping[str, str] | None = None,
    label: str | None = None,
) -> tuple[FileFormat, Iterator[IncomingBatch]]:
    """The file's format, and its rows prepared in batches, streamed. Raises ImportFailed (see
    :func:`~ringback.core.interchange.cards.open_cards`) when the file cannot be opened, and
    while iterating for problems that only show later."""
    reader = open_cards(path, file_format=file_format, mapping=mapping, label=label)

    def batches() -> Iterator[IncomingBatch]:
        with reader:
            # Each card is prepared (and capped) as it is read: a card of 1 MB cells is tens of
            # thousands of records, and a batch of them read first would hold the file many times over.
            prepared = (
                r if isinstance(r, RowProblem) else incoming_from_card(r, seller=seller) for r in reader
            )
            while rows := list(islice(prepared, BATCH)):
                yield IncomingBatch(rows, reader.bytes_read, reader.total_bytes)

    return reader.format, batches()
