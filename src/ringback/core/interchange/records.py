"""The records contact files are read into and written from.

Named tuples, not dataclasses: a big import makes hundreds of thousands of them (a tuple is made
several times faster) and sends them between processes."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class FileFormat(StrEnum):
    """A kind of contact file. ``CSV`` is any other CSV, mapped from its column names."""

    GOOGLE = "google"
    GOOGLE_LEGACY = "google-legacy"
    OUTLOOK = "outlook"
    VCARD = "vcard"
    CSV = "csv"


class CardPhone(NamedTuple):
    """A number as written in the file, with its label (``mobile``/``work``/``home``/``other``)
    and an extension when the file gives one apart from the number."""

    value: str
    label: str = "mobile"
    extension: str = ""


class CardEmail(NamedTuple):
    address: str
    label: str = "home"


class CardAddress(NamedTuple):
    label: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    @property
    def empty(self) -> bool:
        return not (self.street or self.city or self.region or self.postal_code or self.country)


class Birthday(NamedTuple):
    """A birthday; ``year`` is ``None`` when the file gives none (``--MMDD``, Apple's 1604)."""

    month: int
    day: int
    year: int | None = None

    def iso(self) -> str:
        """``1980-04-12``, or ``--04-12`` when the year is unknown (vCard and CSV files)."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def words(self) -> str:
        """``April 12, 1980``, or ``April 12`` when the year is unknown (pages)."""
        text = f"{_MONTHS[self.month - 1]} {self.day}"
        return f"{text}, {self.year}" if self.year else text


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


#: The longest value a notice shows: a notice is for finding the value, not for keeping it.
NOTICE_VALUE = 80


class Notice(NamedTuple):
    """A value of a row that was not imported as the file has it: moved to the notes or left
    out, and why (``reason``, in words a seller can act on). ``field`` is the contact's field
    (``birthday``, ``email``, ``warmth``, ``tags``...); ``value`` the value as written,
    shortened to :data:`NOTICE_VALUE` characters."""

    field: str
    value: str
    reason: str

    @classmethod
    def of(cls, field: str, value: str, reason: str) -> Notice:
        """The notice, with ``value`` on one line and shortened."""
        shown = " ".join(value.split())
        if len(shown) > NOTICE_VALUE:
            shown = shown[: NOTICE_VALUE - 1] + "…"
        return cls(field, shown, reason)

    def text(self) -> str:
        """``birthday '1988-02-30': not a date; kept in the notes``."""
        return f"{self.field} {self.value!r}: {self.reason}"


class Card(NamedTuple):
    """One person read from a file. ``row`` is where they start: the CSV row number counting
    the header as row 1, or the vCard's BEGIN line number. ``warmth`` is what a warmth column
    says, as written; ``notices`` what the reader moved to the notes or left out."""

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
    warmth: str = ""
    notices: tuple[Notice, ...] = ()

    @property
    def has_name(self) -> bool:
        return bool(self.first_name or self.last_name or self.company)


class RowProblem(NamedTuple):
    """A row that could not be read, and why, in words a seller can act on."""

    row: int
    reason: str
    field: str = ""
