"""Rows of a contact CSV turned into cards: the cells of one row, read as its columns say
(:mod:`~ringback.core.interchange.csvcolumns`), become a :class:`Card`, or a
:class:`RowProblem` when the row has no name, phone or email or a quote went astray in it.

This runs for every cell of every row that is not blank, so it is written for speed: each
column is made ready once (:class:`_Step`), empty cells are skipped without a look, the common
cells (names, numbers, e-mails, addresses) are read in the loop itself, and the labels a file
writes are remembered rather than read again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import NamedTuple

from ringback.core.interchange.csvcolumns import ADDRESS_PARTS, ONE_LINE, Column
from ringback.core.interchange.records import (
    Birthday,
    Card,
    CardAddress,
    CardEmail,
    CardPhone,
    FileFormat,
    Notice,
    RowProblem,
)
from ringback.core.interchange.values import (
    NOT_AN_EMAIL,
    address_label,
    email_label,
    label_words,
    meaningful,
    newlines,
    phone_label,
    read_birthdays,
    split_full_name,
    unique,
)
from ringback.core.interchange.writers import unneutralise

#: Several addresses in one cell of a plain CSV: "a@x.org; b@y.org".
_EMAIL_SEPARATORS = re.compile(r"[;,\s]+")

# What a column's cells are read as; the first four are read as values (see RowCards.card).
_TEXT, _PHONE, _EMAIL, _ADDRESS, _BIRTHDAY, _EVENT, _TAGS, _NOTES = range(8)
_CODES = {
    "phone": _PHONE,
    "email": _EMAIL,
    **{part: _ADDRESS for part in (*ADDRESS_PARTS, "po_box", "extended", "formatted")},
    "birthday": _BIRTHDAY,
    "event": _EVENT,
    "tags": _TAGS,
    "notes": _NOTES,
}


class _Step(NamedTuple):
    """What to do with a cell of a column that is not blank: a :class:`Column` made ready for
    the loop over every row."""

    at: int
    code: int
    one_line: bool  # a name, phone or email: a line end in it means a quote went astray
    field: str
    label: str
    group: str
    column: Column


def _steps(columns: Sequence[Column], width: int) -> list[_Step | None]:
    """One step per column of a row ``width`` wide (None for a column that is not read)."""
    steps: list[_Step | None] = [None] * width
    for column in columns:
        code = _CODES.get(column.field, _TEXT)
        steps[column.index] = _Step(
            column.index, code, column.field in ONE_LINE, column.field, column.label, column.group, column
        )
    return steps


@dataclass(slots=True)
class _Address:
    """An address of the row being read: its label, and the values of each of its parts."""

    label: str
    parts: dict[str, list[str]]


# Google's legacy system groups that say nothing about a contact ("* Friends", "* Family" and
# "* Coworkers" are system groups too, but people file contacts in them: they stay, unstarred).
_SYSTEM_GROUPS = frozenset({"my contacts", "starred"})

_LABELS_KEPT = 1000
"""How many label cells each reader remembers the meaning of: files use a handful of labels."""


class RowCards:
    """Turns the rows of a CSV of ``file_format`` into cards, reading ``columns`` (of a header
    ``width`` columns wide)."""

    def __init__(self, file_format: FileFormat, columns: Sequence[Column], width: int) -> None:
        self._format = file_format
        self._steps = _steps(columns, width)
        #: Google writes several values in one cell, separated by " ::: ".
        self._multi = file_format in (FileFormat.GOOGLE, FileFormat.GOOGLE_LEGACY)
        self._labels: dict[Callable[[str], str], dict[str, str]] = {
            phone_label: {},
            email_label: {},
            address_label: {},
        }

    def card(self, cells: list[str], row: int) -> Card | RowProblem:
        """The card in the ``cells`` of row ``row`` (which has a cell that is not blank), or why
        there is none: no name, phone or email, or a line end in a name, phone or email.

        Names, numbers, e-mails and addresses are read as the cells come; tags, notes and
        birthdays (a cell or two a row) are set aside and read at the end.
        """
        multi = self._multi
        text: dict[str, str] = {}
        phones: dict[tuple[str, str], None] = {}
        emails: dict[tuple[str, str], None] = {}
        addresses: dict[str, _Address] = {}
        others: list[tuple[int, str, Column]] = []
        notices: list[Notice] = []
        for at, code, single_line, field, label, group, column in filter(None, compress(self._steps, cells)):
            raw = cells[at]
            if raw.isspace():
                continue
            raw = unneutralise(raw) if raw[0] == "'" else raw
            if single_line and ("\n" in raw or "\r" in raw) and ("\n" in raw.strip() or "\r" in raw.strip()):
                return RowProblem(
                    row,
                    f"the cell in column {column.name!r} runs over several lines"
                    ' (a quote (") in this row that is never closed?)',
                    field=column.name,
                )
            if code > _ADDRESS:
                others.append((code, raw, column))
                continue
            value = raw.strip()
            values = self._values(raw) if multi and " ::: " in raw else [value] if value else []
            if code == _TEXT:
                if values and field not in text:
                    value = " ".join(values[0].split())  # one_line()
                    if meaningful(value):
                        text[field] = value
            elif code == _PHONE:
                label = label or self._label_in(phone_label, cells, column)
                # Kept even without a digit ("ask at the bakery"): flagged later, never dropped.
                for value in values:
                    phones[value, label] = None
            elif code == _ADDRESS:
                place = addresses.get(group)
                if place is None or not place.label:
                    place = self._place(addresses, group, label, cells, column)
                values = [newlines(value) for value in values] if "\r" in raw else values
                parts = place.parts
                parts[field] = parts[field] + values if field in parts else values
            else:
                label = label or self._label_in(email_label, cells, column)
                self._read_emails(emails, values, label, notices)
        tags, notes, birthday = self._read_others(others, cells, notices) if others else ([], [], None)
        return _card(
            row,
            text,
            (phones, emails, _addresses(addresses) if addresses else ()),
            (tags, notes, birthday),
            notices,
        )

    def _read_emails(
        self, emails: dict[tuple[str, str], None], values: list[str], label: str, notices: list[Notice]
    ) -> None:
        """Add the (address, label) pairs in an e-mail cell's ``values`` to ``emails`` (several
        to a value in a plain CSV: "a@x.org; b@y.org"); a value with no address in it is left
        out, with a notice."""
        for value in values:
            found = False
            for part in [value] if self._multi else _EMAIL_SEPARATORS.split(value):
                address = part.removeprefix("mailto:").strip()
                if "@" in address:
                    emails[address, label] = None
                    found = True
            if not found:
                notices.append(Notice.of("email", value, NOT_AN_EMAIL))

    def _place(
        self, addresses: dict[str, _Address], group: str, label: str, cells: list[str], column: Column
    ) -> _Address:
        """The address of ``group`` in ``addresses``, added if new, labelled if it has no label
        yet: ``label`` if the column has one, else what its label column says."""
        place = addresses.get(group)
        if place is None:
            place = addresses[group] = _Address(label or self._label_in(address_label, cells, column), {})
        elif not place.label:
            place.label = label or self._label_in(address_label, cells, column)
        return place

    def _read_others(
        self, found: list[tuple[int, str, Column]], cells: list[str], notices: list[Notice]
    ) -> tuple[list[str], list[str], Birthday | None]:
        """The tags, notes and birthday in the cells ``found`` (an event only if its label says
        birthday; a birthday that cannot be read, or a second one, is kept in the notes, with a
        notice, as is a year that cannot be a year of birth)."""
        tags: list[str] = []
        notes: list[str] = []
        birthdays: list[tuple[str, int | None]] = []
        for code, raw, column in found:
            if code == _TAGS:
                tags += self._tags(raw)
            elif code == _NOTES:
                notes.append(newlines(raw))
            else:
                where = column.label_index
                label_cell = cells[where] if where is not None and where < len(cells) else ""
                if code == _EVENT and "birth" not in label_words(_unquoted(label_cell)):
                    continue
                birthdays.append((raw, None))
        if not birthdays:
            return tags, notes, None
        birthday, moved, said = read_birthdays(birthdays)
        notices += said
        return tags, notes + moved, birthday

    def _tags(self, text: str) -> list[str]:
        """The tags in a cell, split as the file's format writes them."""
        if self._format == FileFormat.GOOGLE:
            # Google's own labels start with "* ": * myContacts, * starred.
            return [tag for tag in text.split(":::") if not tag.lstrip().startswith("*")]
        if self._format == FileFormat.GOOGLE_LEGACY:
            return [
                tag.strip().lstrip("* ")
                for tag in text.split(":::")
                if label_words(tag) not in _SYSTEM_GROUPS
            ]
        if self._format == FileFormat.OUTLOOK:
            return re.split(r"[;,]", text)
        return re.split(r":::|[;,|]", text)

    def _values(self, text: str) -> list[str]:
        """The values in a cell: several in a Google cell (" ::: " between them), else one."""
        if self._multi and " ::: " in text:
            return [value.strip() for value in text.split(" ::: ") if value.strip()]
        value = text.strip()
        return [value] if value else []

    def _label_in(self, read: Callable[[str], str], cells: list[str], column: Column) -> str:
        """The label ``read`` finds in the label column of ``column`` (``read("")`` if none)."""
        index = column.label_index
        text = cells[index] if index is not None and index < len(cells) else ""
        known = self._labels[read]
        label = known.get(text)
        if label is None:
            label = read(_unquoted(text))
            if len(known) < _LABELS_KEPT:
                known[text] = label
        return label


def _card(
    row: int,
    text: dict[str, str],
    details: tuple[dict[tuple[str, str], None], dict[tuple[str, str], None], tuple[CardAddress, ...]],
    others: tuple[list[str], list[str], Birthday | None],
    notices: list[Notice],
) -> Card | RowProblem:
    """The card of row ``row`` from what its cells gave: its names, its (phones, emails,
    addresses), its (tags, notes, birthday) and the notices of what was moved or left out (a full
    name split if there is no first or last name); a RowProblem if it has no name, phone or
    email."""
    phones, emails, addresses = details
    tags, notes, birthday = others
    first, middle, last = (
        text.get("first_name", ""),
        text.get("middle_name", ""),
        text.get("last_name", ""),
    )
    if not (first or last):
        if text.get("name"):
            first, last = split_full_name(text["name"])
        elif middle:
            first, middle = middle, ""
        elif text.get("nickname"):
            first = text["nickname"]
    company = text.get("company", "")
    if not (first or last or company or phones or emails):
        return RowProblem(row, "no name, phone or email")
    return Card(
        row=row,
        first_name=first,
        middle_name=middle,
        last_name=last,
        company=company,
        title=text.get("title", ""),
        phones=tuple([CardPhone(value, label) for value, label in phones]),
        emails=tuple([CardEmail(address, label) for address, label in emails]),
        addresses=addresses,
        birthday=birthday,
        tags=unique(tags) if tags else (),
        notes="\n\n".join([note for note in notes if note]) if notes else "",
        warmth=text.get("warmth", ""),
        notices=tuple(notices),
    )


def _unquoted(cell: str) -> str:
    """A label cell as it was before :func:`~ringback.core.interchange.writers.neutralise`."""
    return unneutralise(cell) if cell[:1] == "'" else cell


def _addresses(found: dict[str, _Address]) -> tuple[CardAddress, ...]:
    """The addresses of a row: one per value of each address group, the n-th value of each
    part making the n-th address (an address with only a formatted text keeps it as its street)."""
    cards: list[CardAddress] = []
    for address in found.values():
        lists = address.parts
        for at in range(max(map(len, lists.values()))):
            part = {name: values[at] for name, values in lists.items() if at < len(values)}
            get = part.get
            street = get("street", "")
            if "extended" in part or "po_box" in part:
                street = "\n".join([text for text in (street, get("extended"), get("po_box")) if text])
            city, region, postal_code, country = (
                get("city", ""),
                get("region", ""),
                get("postal_code", ""),
                get("country", ""),
            )
            if street or city or region or postal_code or country:
                cards.append(
                    CardAddress(
                        label=address.label,
                        street=street,
                        city=city,
                        region=region,
                        postal_code=postal_code,
                        country=country,
                    )
                )
            elif get("formatted"):
                cards.append(CardAddress(label=address.label, street=part["formatted"]))
    return tuple(cards)
