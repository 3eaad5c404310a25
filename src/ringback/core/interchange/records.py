"""The records contact files are read into and written from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FileFormat(StrEnum):
    """A kind of contact file. ``CSV`` is any other CSV, mapped from its column names."""

    GOOGLE = "google"
    GOOGLE_LEGACY = "google-legacy"
    OUTLOOK = "outlook"
    VCARD = "vcard"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class CardPhone:
    """A number as written in the file, with its label (``mobile``/``work``/``home``/``other``)
    and an extension when the file gives one apart from the number."""

    value: str
    label: str = "mobile"
    extension: str = ""


@dataclass(frozen=True, slots=True)
class CardEmail:
    address: str
    label: str = "home"


@dataclass(frozen=True, slots=True)
class CardAddress:
    label: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    @property
    def empty(self) -> bool:
        return not (self.street or self.city or self.region or self.postal_code or self.country)


@dataclass(frozen=True, slots=True)
class Birthday:
    """A birthday; ``year`` is ``None`` when the file gives none (``--MMDD``, Apple's 1604)."""

    month: int
    day: int
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """One person read from a file. ``row`` is where they start: the CSV row number counting
    the header as row 1, or the vCard's BEGIN line number."""

    row: int
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    phones: tuple[CardPhone, ...] = ()
    emails: tuple[CardEmail, ...] = ()
    addresses: tuple[CardAddress, ...] = ()
    birthday: Birthday | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""

    @property
    def has_name(self) -> bool:
        return bool(self.first_name or self.last_name or self.company)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that could not be read, and why, in words a seller can act on."""

    row: int
    reason: str
    field: str = ""
