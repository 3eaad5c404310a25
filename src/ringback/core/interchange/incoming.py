"""Cards made ready to import: fields checked, numbers normalised, emails lowered, place found.

Everything here depends on the card and the seller's region and time zone only, never on the
contacts already saved, so it runs wherever is cheapest: in the importing process, or in a
worker process that reads the file and sends the prepared rows over (``incoming_batches``).
Matching the rows with saved contacts and writing them is the contacts app's job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from ringback.core.interchange.readers import open_cards
from ringback.core.interchange.records import Card, FileFormat, RowProblem
from ringback.core.phones import ParsedPhone, PhoneLabel, parse_phone
from ringback.core.places import state_code, zone_for_region

__all__ = ["LIMITS", "Incoming", "IncomingBatch", "incoming_batches", "incoming_from_card"]

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


def address_key(street: str, city: str, postal_code: str) -> tuple[str, str, str]:
    """What makes two addresses the same one."""
    return (street.casefold().strip(), city.casefold().strip(), postal_code.casefold().replace(" ", ""))


def name_key(first: str, last: str, company: str) -> str:
    """What makes two people with neither number nor email the same one."""
    return f"{first.casefold().strip()}|{last.casefold().strip()}|{company.casefold().strip()}"


@dataclass(frozen=True, slots=True)
class Seller:
    """What preparing a row needs to know of the account: where its numbers are dialled from."""

    region: str
    time_zone: str


def incoming_from_card(
    card: Card, *, seller: Seller, parsed: Mapping[str, ParsedPhone] | None = None
) -> Incoming | RowProblem:
    """The card made ready to import, or the reason it is skipped (a field too long for its
    column, or no name, number or email at all). ``parsed``: numbers already normalised, by
    their text."""
    first = " ".join(p for p in (card.first_name.strip(), card.middle_name.strip()) if p)
    last, company, title = card.last_name.strip(), card.company.strip(), card.title.strip()
    for name, value in (("first_name", first), ("last_name", last), ("company", company), ("title", title)):
        if len(value) > LIMITS[name]:
            return RowProblem(card.row, f"{name.replace('_', ' ')}: longer than {LIMITS[name]} characters")
    numbers: list[Number] = []
    located: list[ParsedPhone] = []
    for phone in card.phones:
        if not phone.value.strip():
            continue
        number = (parsed or {}).get(phone.value) or parse_phone(phone.value, seller.region)
        extension = phone.extension or number.extension
        if len(number.number) > LIMITS["phone"] or len(extension) > LIMITS["extension"]:
            return RowProblem(card.row, f"phone: {phone.value[:40]!r} is too long to be a number")
        if all(number.number != n for n, *_ in numbers):
            label = phone.label if phone.label in _PHONE_LABELS else PhoneLabel.OTHER.value
            numbers.append((number.number, extension, label, number.valid))
            if number.valid:
                located.append(number)
    emails: list[tuple[str, str]] = []
    for email in card.emails:
        text = email.address.strip().lower()
        if not text or any(a == text for a, _ in emails):
            continue
        if len(text) > LIMITS["email"]:
            return RowProblem(card.row, f"email: longer than {LIMITS['email']} characters")
        emails.append((text, email.label if email.label in EMAIL_LABELS else "other"))
    addresses: list[Address] = []
    for postal in card.addresses:
        for name, value in (("label", postal.label), ("city", postal.city), ("region", postal.region),
                            ("postal code", postal.postal_code), ("country", postal.country)):  # fmt: skip
            if len(value) > LIMITS[f"address {name}"]:
                return RowProblem(
                    card.row, f"address {name}: longer than {LIMITS[f'address {name}']} characters"
                )
        if not postal.empty and all(
            address_key(postal.street, postal.city, postal.postal_code) != address_key(a[1], a[2], a[4])
            for a in addresses
        ):
            addresses.append(
                (postal.label, postal.street, postal.city, postal.region, postal.postal_code, postal.country)
            )
    tags = tuple(sorted({t.strip() for t in card.tags if t.strip()}))
    if any(len(t) > LIMITS["tag"] for t in tags):
        return RowProblem(card.row, f"tags: a tag is longer than {LIMITS['tag']} characters")
    if not (first or last or company or numbers or emails):
        return RowProblem(card.row, "no name, phone or email")
    zone, country, subdivision = _place(located, addresses, seller)
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
    )


def _place(valid: list[ParsedPhone], addresses: list[Address], seller: Seller) -> tuple[str, str, str]:
    """Time zone, country and state: from the first number that tells, the address where the
    number spans several zones, else the seller's."""
    located = next((p for p in valid if p.zone), valid[0] if valid else None)
    region = addresses[0][3] if addresses else None
    country = (located.region if located and located.region else "") or seller.region
    subdivision = located.subdivision if located and located.subdivision else ""
    if region is not None and not subdivision:
        subdivision = state_code(country, region) or ""
    if located and located.zone:
        return located.zone, country, subdivision
    by_address = zone_for_region(country, region) if region is not None else None
    if by_address and (located is None or not located.zones or by_address in located.zones):
        return by_address, country, subdivision
    if located is None or located.region == seller.region or not located.zones:
        return seller.time_zone, country, subdivision
    return located.zones[0], country, subdivision


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
    :func:`~ringback.core.interchange.readers.open_cards`) when the file cannot be opened, and
    while iterating for problems that only show later."""
    reader = open_cards(path, file_format=file_format, mapping=mapping, label=label)

    def batches() -> Iterator[IncomingBatch]:
        with reader:
            records = iter(reader)
            while chunk := list(islice(records, BATCH)):
                rows = [
                    r if isinstance(r, RowProblem) else incoming_from_card(r, seller=seller) for r in chunk
                ]
                yield IncomingBatch(rows, reader.bytes_read, reader.total_bytes)

    return reader.format, batches()
