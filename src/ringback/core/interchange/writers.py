"""Contact files out: Google Contacts CSV and vCard 4.0 (RFC 6350), written as a stream.

Both writers take any iterable of :class:`Card` and write one contact at a time, so exporting
100,000 contacts never holds them all. :func:`google_csv_lines` and :func:`vcard_text` yield
the text piece by piece (a web response streams them); :func:`write_google_csv` and
:func:`write_vcard` write it to a text stream and count the cards.
Open files with ``newline=""``: the writers put the CRLF line ends themselves.

Google CSV
    The header is the one Google Contacts exports today (``First Name`` … ``Labels``, then the
    numbered ``E-mail n``, ``Phone n`` and ``Address n`` groups), with as many groups as the
    widest contact needs (at least one of each). Labels are ``* myContacts ::: tag ::: tag``;
    Google has no escape for its ``:::`` separator, so inside a tag a run of three or more
    colons is written as ``::`` (the only tags that do not come back unchanged). Phone labels
    are Mobile/Work/Home/Other, email and address labels Home/Work/Other; any other label is
    written as it is (Google keeps custom labels). A number with an extension is written the
    way people type it into Google, ``+15550100 ext. 12``, which phone-number parsers (and
    Google) read back as number and extension. Birthdays are ``YYYY-MM-DD``, or ``--MM-DD``
    without a year. A card with more values than the header has groups for (it gained a number
    after the caller counted) gets the extra values joined into its last group with ``:::``,
    Google's own way to put several values in one cell: nothing is dropped.

Spreadsheet formula injection
    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP's list)
    gets a single quote in front, so that a spreadsheet shows it as text instead of running it.
    Two kinds of cell are written as they are, because they are built from checked data: a
    phone value that is exactly an E.164 number (``+`` and 2-15 digits) with perhaps
    `` ext. `` and digits, and a birthday (``--04-12``). A spreadsheet would at worst read
    those as arithmetic or an error (``+15550100`` as the number 15550100): no function call,
    no reference, no link can hide in digits. Quoting them would make Google import
    ``'+15550100``, which is not a phone number. Every other cell is neutralised, phone cells
    included (a number kept "as written" can hold anything). :func:`unneutralise` undoes
    :func:`neutralise` exactly; readers of Ringback's (and Google's) CSV call it on every
    whole cell, before splitting ``:::`` lists.

vCard 4.0
    Written here rather than with ``vobject`` (0.9.9): vobject only implements vCard 3.0 (its
    VCARD behaviour writes ``VERSION:3.0`` and 3.0 rules), it backslash-escapes every value,
    URIs included, so ``tel:+15550100;ext=12`` comes out as ``tel:+15550100\\;ext=12``, and it
    skips folding for lines shorter than 75 *characters*, so a line of 70 accented letters is
    140 octets long (RFC 6350 §3.2 says 75 octets). Tests parse this output back with vobject.

    A number in E.164 is ``TEL;VALUE=uri;TYPE=cell:tel:+15550100`` (``;ext=12`` for an
    extension of digits), as RFC 6350 §6.4.1 recommends; a number that is not E.164 (kept as
    written) cannot be a global ``tel:`` URI and is written as text
    (``TEL;TYPE=home:020 7946 0000 ext. 5``). TYPE is ``cell`` for mobile, else the label
    (``work``, ``home``, ``other``); emails and addresses ``home``/``work``/``other`` (another
    address label only when it is one plain word). Text values escape backslash, comma,
    semicolon and line breaks (CRLF, CR or LF, all written ``\n``: vCard has one escape for
    them, so a CRLF comes back as LF); control characters other than tab are dropped (vCard
    text cannot hold them). Lines are folded at 75 octets, never inside a UTF-8 character, and
    end with CRLF.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Iterator
from typing import TextIO

from ringback.core.interchange.records import Birthday, Card, CardAddress, CardPhone

# --- spreadsheet formula injection -----------------------------------------------------------

#: A cell starting with one of these is a formula (or becomes one) in a spreadsheet (OWASP).
DANGEROUS = frozenset("=+-@\t\r")

_QUOTED = re.compile("'*[" + re.escape("".join(sorted(DANGEROUS))) + "]")


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet shows but never runs: a ``'`` in front of a cell starting with
    ``=``, ``+``, ``-``, ``@``, tab or carriage return.

    A cell that already starts with quotes followed by one of those gets one more quote, so that
    :func:`unneutralise` can tell the two apart: ``unneutralise(neutralise(s)) == s`` for any
    text.
    """
    return "'" + cell if _QUOTED.match(cell) else cell


def unneutralise(cell: str) -> str:
    """The cell as it was before :func:`neutralise`: one leading ``'`` is removed when the quotes
    it starts with are followed by ``=``, ``+``, ``-``, ``@``, tab or carriage return.

    Readers of a Ringback or Google CSV export must call this on every cell (before splitting
    ``:::`` lists or parsing numbers and dates). A cell that starts otherwise, a number like
    ``+15550100`` or an apostrophe before a letter (``'Tis``), is returned unchanged.
    """
    return cell[1:] if cell.startswith("'") and _QUOTED.match(cell) else cell


_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_EXTENSION = re.compile(r"[0-9]{1,20}")


# --- Google CSV --------------------------------------------------------------------------------

#: The columns before the numbered groups, in Google Contacts' export order.
GOOGLE_COLUMNS: tuple[str, ...] = (
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
)

#: The columns of one numbered address group, after ``Address n - ``.
ADDRESS_PARTS = (
    "Label",
    "Formatted",
    "Street",
    "City",
    "PO Box",
    "Region",
    "Postal Code",
    "Country",
    "Extended Address",
)

#: Google's separator of several values in one cell, and the group every contact is in.
LIST_SEPARATOR = " ::: "
MY_CONTACTS = "* myContacts"

_LABELS = {"mobile": "Mobile", "work": "Work", "home": "Home", "other": "Other"}
_COLONS = re.compile(r":{3,}")


def google_header(*, emails: int = 1, phones: int = 1, addresses: int = 1) -> list[str]:
    """Google Contacts' export header with ``emails``, ``phones`` and ``addresses`` numbered
    groups (at least one of each)."""
    columns = list(GOOGLE_COLUMNS)
    for n in range(1, max(emails, 1) + 1):
        columns += [f"E-mail {n} - Label", f"E-mail {n} - Value"]
    for n in range(1, max(phones, 1) + 1):
        columns += [f"Phone {n} - Label", f"Phone {n} - Value"]
    for n in range(1, max(addresses, 1) + 1):
        columns += [f"Address {n} - {part}" for part in ADDRESS_PARTS]
    return columns


def google_label(label: str) -> str:
    """``Mobile``/``Work``/``Home``/``Other`` for Ringback's labels; another label as written."""
    return _LABELS.get(label.strip().lower(), label.strip())


def google_tag(tag: str) -> str:
    """A tag as one item of Google's ``Labels`` list: runs of 3+ colons become ``::``."""
    return _COLONS.sub("::", tag)


def google_labels(tags: Iterable[str]) -> str:
    """The ``Labels`` cell: ``* myContacts ::: tag ::: tag``."""
    return LIST_SEPARATOR.join([MY_CONTACTS, *(google_tag(t) for t in tags if t)])


def google_phone(phone: CardPhone) -> str:
    """A Phone value as text: ``+15550100``, or ``+15550100 ext. 12`` with an extension."""
    value = phone.value.strip()
    extension = phone.extension.strip()
    return f"{value} ext. {extension}" if extension else value


def _digits_only(phone: CardPhone) -> bool:
    """True for an E.164 number with perhaps a numeric extension: no formula can hide in it."""
    extension = phone.extension.strip()
    return bool(_E164.fullmatch(phone.value.strip())) and (
        not extension or bool(_EXTENSION.fullmatch(extension))
    )


def formatted_address(address: CardAddress) -> str:
    """The address as lines: street, ``City, Region Postal code``, country."""
    place = " ".join(p for p in (address.region, address.postal_code) if p)
    town = ", ".join(p for p in (address.city, place) if p)
    return "\n".join(p for p in (address.street, town, address.country) if p)


#: A cell before neutralisation: its text, and whether it is built from checked digits only.
_Cell = tuple[str, bool]


def _text(value: str) -> _Cell:
    return (value, False)


def _groups(values: list[list[_Cell]], width: int, size: int) -> list[_Cell]:
    """``width`` groups of ``size`` cells. Values past the last group are joined into its cells
    with ``:::`` (Google's way to put several values in one cell), so nothing is dropped."""
    if len(values) > width:
        rest = values[width - 1 :]
        joined = [
            (LIST_SEPARATOR.join(v[i][0] for v in rest if v[i][0]), all(v[i][1] for v in rest))
            for i in range(size)
        ]
        values = [*values[: width - 1], joined]
    cells: list[_Cell] = []
    for group in values:
        cells += group
    return cells + [("", True)] * (size * (width - len(values)))


def _google_row(card: Card, emails: int, phones: int, addresses: int) -> list[str]:
    empty = ("", True)
    head: list[_Cell] = [
        _text(card.first_name),
        _text(card.middle_name),
        _text(card.last_name),
        *[empty] * 7,
        _text(card.company),
        _text(card.title),
        empty,
        (card.birthday.iso(), True) if card.birthday else empty,
        _text(card.notes),
        empty,
        _text(google_labels(card.tags)),
    ]
    email_cells = [[_text(google_label(m.label)), _text(m.address)] for m in card.emails]
    phone_cells = [[_text(google_label(p.label)), (google_phone(p), _digits_only(p))] for p in card.phones]
    address_cells = [
        [
            _text(google_label(a.label)),
            _text(formatted_address(a)),
            _text(a.street),
            _text(a.city),
            empty,
            _text(a.region),
            _text(a.postal_code),
            _text(a.country),
            empty,
        ]
        for a in card.addresses
        if not a.empty
    ]
    cells = (
        head
        + _groups(email_cells, max(emails, 1), 2)
        + _groups(phone_cells, max(phones, 1), 2)
        + _groups(address_cells, max(addresses, 1), len(ADDRESS_PARTS))
    )
    return [text if safe else neutralise(text) for text, safe in cells]


class _Echo:
    """A file-like object whose ``write`` gives back what it was given (for ``csv.writer``)."""

    def write(self, text: str) -> str:
        return text


def _widest(cards: Iterable[Card]) -> tuple[int, int, int]:
    emails = phones = addresses = 0
    for card in cards:
        emails = max(emails, len(card.emails))
        phones = max(phones, len(card.phones))
        addresses = max(addresses, sum(1 for a in card.addresses if not a.empty))
    return emails, phones, addresses


def google_csv_lines(
    cards: Iterable[Card],
    *,
    max_emails: int | None = None,
    max_phones: int | None = None,
    max_addresses: int | None = None,
) -> Iterator[str]:
    """The Google CSV, one line (header first, then one per card) at a time, CRLF-ended.

    Give the ``max_*`` counts (the most emails, numbers and non-empty addresses any card has)
    to write in one pass; without them ``cards`` is read twice, so it must be a collection, not
    a one-shot iterator (:class:`TypeError`). A card with more values than its groups (it
    gained a number after the counts were taken) has the extra values joined into the last
    group with ``:::``; nothing is dropped.
    """
    if max_emails is None or max_phones is None or max_addresses is None:
        if not isinstance(cards, Collection):
            raise TypeError("give max_emails, max_phones and max_addresses, or a collection of cards")
        widest = _widest(cards)
        max_emails = widest[0] if max_emails is None else max_emails
        max_phones = widest[1] if max_phones is None else max_phones
        max_addresses = widest[2] if max_addresses is None else max_addresses
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(google_header(emails=max_emails, phones=max_phones, addresses=max_addresses))
    for card in cards:
        yield writer.writerow(_google_row(card, max_emails, max_phones, max_addresses))


def write_google_csv(
    cards: Iterable[Card],
    out: TextIO,
    *,
    max_emails: int | None = None,
    max_phones: int | None = None,
    max_addresses: int | None = None,
) -> int:
    """Write ``cards`` to ``out`` as a Google Contacts CSV (see :func:`google_csv_lines`) and
    return how many contacts were written."""
    lines = google_csv_lines(cards, max_emails=max_emails, max_phones=max_phones, max_addresses=max_addresses)
    out.write(next(lines))
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count


# --- vCard 4.0 ---------------------------------------------------------------------------------

#: RFC 6350 §3.2: lines longer than this many octets are folded.
FOLD_OCTETS = 75

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOKEN = re.compile(r"[A-Za-z0-9-]+")
_PHONE_TYPES = {"mobile": "cell", "work": "work", "home": "home", "other": "other"}
_PLACE_TYPES = {"home": "home", "work": "work", "other": "other"}


def vcard_escape(text: str) -> str:
    """A text value or component: backslash, comma and semicolon escaped, newlines as ``\\n``,
    control characters other than tab dropped."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def fold(line: str, limit: int = FOLD_OCTETS) -> str:
    """``line`` folded into lines of at most ``limit`` octets (the leading space of a
    continuation counts), never inside a UTF-8 character, each ending with CRLF."""
    if len(line.encode("utf-8")) <= limit:
        return line + "\r\n"
    parts: list[str] = []
    start = 0
    size = 0
    room = limit
    for i, char in enumerate(line):
        octets = len(char.encode("utf-8"))
        if size + octets > room:
            parts.append(line[start:i])
            start, size, room = i, 0, limit - 1
        size += octets
    parts.append(line[start:])
    return "\r\n ".join(parts) + "\r\n"


def _type(label: str, known: dict[str, str]) -> str:
    """``;TYPE=…`` for a label: a known one mapped, another plain word as written, else none."""
    key = label.strip().lower()
    if key in known:
        return f";TYPE={known[key]}"
    return f";TYPE={label.strip()}" if _TOKEN.fullmatch(label.strip()) else ""


def vcard_tel(phone: CardPhone) -> str:
    """The TEL line (unfolded): a ``tel:`` URI for an E.164 number, else the number as text."""
    kind = _type(phone.label, _PHONE_TYPES)
    value = phone.value.strip()
    extension = phone.extension.strip()
    if _digits_only(phone):
        return f"TEL;VALUE=uri{kind}:tel:{value}" + (f";ext={extension}" if extension else "")
    return f"TEL{kind}:{vcard_escape(google_phone(phone))}"


def vcard_birthday(birthday: Birthday) -> str:
    """``19800412``, or ``--0412`` when the year is unknown (RFC 6350 §4.3.1)."""
    if birthday.year is None:
        return f"--{birthday.month:02d}{birthday.day:02d}"
    return f"{birthday.year:04d}{birthday.month:02d}{birthday.day:02d}"


def _formatted_name(card: Card) -> str:
    name = " ".join(p for p in (card.first_name, card.middle_name, card.last_name) if p)
    if name or card.company:
        return name or card.company
    if card.emails:
        return card.emails[0].address
    return card.phones[0].value if card.phones else ""


def vcard_properties(card: Card) -> list[str]:
    """The card's vCard 4.0 content lines, unfolded and without line ends."""
    e = vcard_escape
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"FN:{e(_formatted_name(card))}",
        f"N:{e(card.last_name)};{e(card.first_name)};{e(card.middle_name)};;",
    ]
    if card.company:
        lines.append(f"ORG:{e(card.company)}")
    if card.title:
        lines.append(f"TITLE:{e(card.title)}")
    lines += [vcard_tel(p) for p in card.phones]
    lines += [f"EMAIL{_type(m.label, _PLACE_TYPES)}:{e(m.address)}" for m in card.emails]
    lines += [
        f"ADR{_type(a.label, _PLACE_TYPES)}:;;{e(a.street)};{e(a.city)};{e(a.region)};"
        f"{e(a.postal_code)};{e(a.country)}"
        for a in card.addresses
        if not a.empty
    ]
    if card.birthday:
        lines.append(f"BDAY:{vcard_birthday(card.birthday)}")
    tags = [t for t in card.tags if t]
    if tags:
        lines.append("CATEGORIES:" + ",".join(e(t) for t in tags))
    if card.notes:
        lines.append(f"NOTE:{e(card.notes)}")
    lines.append("END:VCARD")
    return lines


def vcard_text(cards: Iterable[Card]) -> Iterator[str]:
    """The vCard file, one whole card (folded, CRLF-ended lines) at a time."""
    for card in cards:
        yield "".join(fold(line) for line in vcard_properties(card))


def write_vcard(cards: Iterable[Card], out: TextIO) -> int:
    """Write ``cards`` to ``out`` as vCard 4.0 and return how many were written."""
    count = 0
    for text in vcard_text(cards):
        out.write(text)
        count += 1
    return count
