"""Reading contact CSVs: Google's current and legacy exports, Outlook's, and any other CSV whose
columns are guessed from their names (or mapped by the user).

Rows are streamed: the csv module reads lines handed to it by :class:`_Source`, which never
holds more than :data:`ROW_LIMIT` characters of one row. A row bigger than that, or with a cell
bigger than :data:`CELL_LIMIT`, becomes a :class:`RowProblem` and the reader carries on with
the row after it.

A row's number is the line of the file it starts on, the header being row 1: the same as the
row number in a spreadsheet unless an earlier cell runs over several lines.

Field specs (for ``--map COLUMN=SPEC``): ``first_name``, ``middle_name``, ``last_name``,
``name`` (a full name, split by :func:`~ringback.core.interchange.reading.split_full_name`),
``company``, ``title``, ``phone[:mobile|work|home|other]``, ``email[:home|work|other]``,
``tags``, ``notes``, ``birthday``, ``street``, ``city``, ``region``, ``postal_code``,
``country`` (each address part may carry ``:home|work|other``, which also says which address it
belongs to) and ``ignore``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count, islice
from typing import NamedTuple

from ringback.core.errors import ImportFailed
from ringback.core.interchange.reading import (
    Lines,
    address_label,
    count_lines,
    email_label,
    fail,
    label_words,
    meaningful,
    newlines,
    no_birthday,
    one_line,
    parse_birthday,
    phone_label,
    split_full_name,
    unique,
)
from ringback.core.interchange.records import (
    Birthday,
    Card,
    CardAddress,
    CardEmail,
    CardPhone,
    FileFormat,
    RowProblem,
)
from ringback.core.interchange.writers import unneutralise

CELL_LIMIT = 1024 * 1024
"""The biggest cell read (in characters): 1 MB of text is no contact detail."""

ROW_LIMIT = 4 * CELL_LIMIT
"""The most characters of one row ever held; a bigger row is skipped."""

DELIMITERS = (",", ";", "\t", "|")

_PHONE_LABELS = ("mobile", "work", "home", "other")
_EMAIL_LABELS = ("home", "work", "other")
_ADDRESS_LABELS = ("home", "work", "other")
_ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country")

FIELDS: dict[str, tuple[str, ...]] = {
    "first_name": (),
    "middle_name": (),
    "last_name": (),
    "name": (),
    "company": (),
    "title": (),
    "phone": _PHONE_LABELS,
    "email": _EMAIL_LABELS,
    "tags": (),
    "notes": (),
    "birthday": (),
    **{part: _ADDRESS_LABELS for part in _ADDRESS_PARTS},
    "ignore": (),
}
"""Field specs a user may map a column to, with the labels each accepts."""

_NAMING = frozenset({"name", "first_name", "middle_name", "last_name", "company", "nickname"})
_REACHING = frozenset({"phone", "email"})
_ONE_LINE = frozenset({"name", "first_name", "middle_name", "last_name", "phone", "email"})


#: Several addresses in one cell of a plain CSV: "a@x.org; b@y.org".
_EMAIL_SEPARATORS = re.compile(r"[;,\s]+")


_NOT_LETTERS = re.compile(r"[\W_]+")


def key(name: str) -> str:
    """A column name with case, spaces and punctuation taken out: ``E-mail Address`` is
    ``emailaddress``."""
    return _NOT_LETTERS.sub("", name.casefold())


# --------------------------------------------------------------------------- field specs


def parse_spec(spec: str) -> str:
    """``spec`` in its canonical form (``Phone:Mobile`` is ``phone:mobile``); ValueError says
    what is wrong with it."""
    what, _, label = (part.strip() for part in spec.strip().lower().partition(":"))
    if what not in FIELDS:
        raise ValueError(f"unknown field {what!r}; use one of {', '.join(FIELDS)}")
    if not label:
        return what
    allowed = FIELDS[what]
    if not allowed:
        raise ValueError(f"{what} takes no label")
    if label not in allowed:
        raise ValueError(f"{what} labels are {', '.join(allowed)}, not {label!r}")
    return f"{what}:{label}"


def parse_mapping(specs: Sequence[str]) -> dict[str, str]:
    """Parse ``COLUMN=SPEC`` arguments (``Cell=phone:mobile``) into {column: spec}.

    The column is everything before the last ``=``, stripped; specs come back canonical. A
    missing ``=``, an empty column, a column given twice (ignoring case) or a bad spec raises
    :class:`ImportFailed` naming the argument.
    """
    mapping: dict[str, str] = {}
    seen: set[str] = set()
    for argument in specs:
        column, equals, spec = argument.rpartition("=")
        column = column.strip()
        if not equals or not column:
            raise ImportFailed(
                f"column mapping {argument!r}: write it as COLUMN=FIELD, e.g. 'Cell=phone:mobile'"
            )
        if column.casefold() in seen:
            raise ImportFailed(f"column mapping {argument!r}: column {column!r} is mapped twice")
        try:
            mapping[column] = parse_spec(spec)
        except ValueError as exc:
            raise ImportFailed(f"column mapping {argument!r}: {exc}") from None
        seen.add(column.casefold())
    return mapping


# --------------------------------------------------------------------------- what each format's columns mean


@dataclass(frozen=True, slots=True)
class Column:
    """What one column holds. The label is fixed, or read from another column in each row."""

    index: int
    name: str
    field: str
    label: str = ""
    label_index: int | None = None
    group: str = ""


def _column(index: int, name: str, spec: str) -> Column:
    what, _, label = spec.partition(":")
    group = (label or "main") if what in _ADDRESS_PARTS else ""
    return Column(index, name, what, label, group=group)


def _table(specs: dict[str, str]) -> dict[str, str]:
    """{column key: field spec} from {field spec: "column keys separated by spaces"}."""
    return {name: spec for spec, names in specs.items() for name in names.split()}


_GUESSES = _table(
    {
        "name": "name fullname contactname displayname contact person",
        "first_name": "firstname givenname forename first prenom vorname",
        "middle_name": "middlename additionalname middle middleinitial",
        "last_name": "lastname familyname surname last nom nachname",
        "company": "company companyname organization organisation organizationname org employer firma",
        "title": "title jobtitle position role jobrole",
        "phone": "phone phonenumber telephone telephonenumber tel number phoneno telefon",
        "phone:mobile": "mobile mobilephone mobilenumber cell cellphone cellnumber handy mobil",
        "phone:work": "workphone businessphone officephone worknumber officenumber",
        "phone:home": "homephone homenumber privatephone",
        "phone:other": "otherphone mainphone othernumber",
        "email": "email emailaddress mail emailadresse courriel",
        "email:work": "workemail businessemail officeemail",
        "email:home": "homeemail personalemail privateemail",
        "email:other": "otheremail",
        "tags": "tags tag labels label groups group categories category",
        "notes": "notes note comments comment remarks description",
        "birthday": "birthday dob dateofbirth birthdate bday geburtstag",
        "street": "street address streetaddress addressline adresse strasse",
        "city": "city town locality ville ort stadt",
        "region": "state region province county stateprovince stateregion",
        "postal_code": "zip zipcode postalcode postcode postal plz",
        "country": "country countryregion nation land pays",
    }
)


def guess(name: str) -> str:
    """The field spec a column name suggests (``ignore`` if none): case, spaces and
    punctuation do not count, nor does a trailing number (``Phone 2`` is a phone)."""
    found = key(name)
    return _GUESSES.get(found) or _GUESSES.get(found.rstrip("0123456789"), "ignore")


_GOOGLE = _table(
    {
        "first_name": "firstname",
        "middle_name": "middlename",
        "last_name": "lastname",
        "nickname": "nickname",
        "company": "organizationname",
        "title": "organizationtitle",
        "birthday": "birthday",
        "notes": "notes",
        "tags": "labels",
        "ignore": "phoneticfirstname phoneticmiddlename phoneticlastname nameprefix namesuffix fileas"
        " organizationdepartment photo",
    }
)

_GOOGLE_LEGACY = _table(
    {
        "name": "name",
        "first_name": "givenname",
        "middle_name": "additionalname",
        "last_name": "familyname",
        "nickname": "nickname",
        "birthday": "birthday",
        "notes": "notes",
        "tags": "groupmembership",
        "ignore": "shortname yominame givennameyomi additionalnameyomi familynameyomi nameprefix namesuffix"
        " initials maidenname gender location billinginformation directoryserver mileage occupation hobby"
        " sensitivity priority subject language photo",
    }
)

_OUTLOOK = _table(
    {
        "first_name": "firstname",
        "middle_name": "middlename",
        "last_name": "lastname",
        "nickname": "nickname",
        "company": "company",
        "title": "jobtitle",
        "birthday": "birthday",
        "notes": "notes",
        "tags": "categories",
        "email": "emailaddress email2address email3address",
        "phone:home": "homephone homephone2",
        "phone:work": "businessphone businessphone2 companymainphone",
        "phone:mobile": "mobilephone carphone",
        "phone:other": "otherphone primaryphone callback radiophone pager ttytddphone assistantsphone isdn"
        " businessfax homefax otherfax",
        # Outlook's "Title" is Mr/Ms/Dr, not a job title.
        "ignore": "title suffix givenyomi surnameyomi companyyomi telex imaddress department officelocation"
        " managersname assistantsname personalwebpage webpage spouse schools hobby location anniversary"
        " account billinginformation directoryserver gender governmentidnumber initials internetfreebusy"
        " keywords language mileage organizationalidnumber priority private profession referredby"
        " sensitivity children user1 user2 user3 user4 emailtype emaildisplayname email2type"
        " email2displayname email3type email3displayname",
    }
)
for _where, _label in (("business", "work"), ("home", "home"), ("other", "other")):
    _OUTLOOK.update(
        _table(
            {
                f"street:{_label}": f"{_where}street {_where}street2 {_where}street3 {_where}addresspobox",
                f"city:{_label}": f"{_where}city",
                f"region:{_label}": f"{_where}state",
                f"postal_code:{_label}": f"{_where}postalcode",
                f"country:{_label}": f"{_where}countryregion {_where}country",
            }
        )
    )

_GROUPED = re.compile(r"^(e-?mail|phone|address|event|organization)\s*(\d+)\s*-\s*(.+)$", re.IGNORECASE)
_GOOGLE_ADDRESS = {
    "street": "street",
    "city": "city",
    "region": "region",
    "postalcode": "postal_code",
    "country": "country",
    "pobox": "po_box",
    "extendedaddress": "extended",
    "formatted": "formatted",
}

_OUTLOOK_MARKS = frozenset(
    (
        "e-mail address",
        "e-mail 2 address",
        "mobile phone",
        "business phone",
        "home phone",
        "primary phone",
        "business fax",
        "business street",
        "home street",
        "business country/region",
    )
)


def header_format(header: Sequence[str]) -> FileFormat:
    """Which export a header row comes from (see :func:`~ringback.core.interchange.readers.detect_format`).

    Column names are compared as the exports write them (ignoring case and runs of spaces):
    someone's own "FIRST_NAME, Labels" is any other CSV, not Google's.
    """
    names = {" ".join(name.lower().split()) for name in header}
    parts = {key(found.group(3)) for name in header if (found := _GROUPED.match(name.strip()))}
    if "first name" in names and ("labels" in names or parts & {"value", "label"}):
        return FileFormat.GOOGLE
    if {"given name", "family name"} <= names or "group membership" in names or "type" in parts:
        return FileFormat.GOOGLE_LEGACY
    if names & {"first name", "last name"} and names & _OUTLOOK_MARKS:
        return FileFormat.OUTLOOK
    return FileFormat.CSV


def _google_columns(header: Sequence[str], legacy: bool) -> list[Column]:
    table = _GOOGLE_LEGACY if legacy else _GOOGLE
    labels: dict[tuple[str, str], int] = {}
    for index, name in enumerate(header):
        found = _GROUPED.match(name.strip())
        if found and key(found.group(3)) in ("label", "type"):
            labels[(key(found.group(1)), found.group(2))] = index
    columns: list[Column] = []
    for index, name in enumerate(header):
        found = _GROUPED.match(name.strip())
        if not found:
            spec = table.get(key(name)) or guess(name)
            columns.append(_column(index, name, spec))
            continue
        kind, number, part = key(found.group(1)), found.group(2), key(found.group(3))
        label_index = labels.get((kind, number))
        if kind in ("email", "phone", "event") and part == "value":
            columns.append(Column(index, name, kind, label_index=label_index))
        elif kind == "address" and part in _GOOGLE_ADDRESS:
            what = _GOOGLE_ADDRESS[part]
            columns.append(Column(index, name, what, label_index=label_index, group=f"address {number}"))
        elif kind == "organization" and part in ("name", "title"):
            columns.append(Column(index, name, "company" if part == "name" else "title"))
    return columns


def columns_for(file_format: FileFormat, header: Sequence[str]) -> list[Column]:
    """What each column of ``header`` holds in a file of ``file_format``; columns a format does
    not know are guessed from their names."""
    if file_format in (FileFormat.GOOGLE, FileFormat.GOOGLE_LEGACY):
        return _google_columns(header, legacy=file_format == FileFormat.GOOGLE_LEGACY)
    table = _OUTLOOK if file_format == FileFormat.OUTLOOK else {}
    return [_column(index, name, table.get(key(name)) or guess(name)) for index, name in enumerate(header)]


# --------------------------------------------------------------------------- sniffing


def _rows(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [row for row in islice(reader, limit) if any(cell.strip() for cell in row)]
    except csv.Error:
        return []


def _complete_lines(text: str) -> str:
    cut = max(text.rfind("\n"), text.rfind("\r"))
    return text[: cut + 1] if cut >= 0 else text


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV starting with ``text``: of ``,`` ``;`` tab and ``|``, the one that
    splits the header into several columns and the most rows into as many columns as the header,
    then the one giving most columns; ``,`` when nothing tells.

    (csv.Sniffer is not used: it also guesses the quote character, and an apostrophe in a name
    like O'Brien can make it pick ``'``.)
    """
    sample = _complete_lines(text)
    best, best_score = ",", (False, 0, 0)
    for delimiter in DELIMITERS:
        rows = _rows(sample, delimiter, 30)
        if not rows:
            continue
        width = len(rows[0])
        score = (width > 1, sum(1 for row in rows[1:] if len(row) == width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def first_row(text: str, delimiter: str) -> list[str]:
    """The first non-blank row of a CSV starting with ``text``, stripped (``[]`` if none)."""
    rows = _rows(_complete_lines(text), delimiter, 50)
    return [cell.strip().lstrip("\ufeff").strip() for cell in rows[0]] if rows else []


# --------------------------------------------------------------------------- bounded rows


# Inside quotes, up to and including the quote that closes them: pairs of quotes are quotes.
_CLOSING_QUOTE = re.compile(r'(?:[^"]++|"")*+"(?!")')


class _Scan:
    """Follows what csv's parser does over the text of one row, to find where the row ends and
    which cell was too big, when csv itself gave up on it."""

    START, PLAIN, QUOTED, CLOSING = range(4)

    def __init__(self, delimiter: str) -> None:
        self._delimiter = delimiter
        self._plain_end = re.compile("[" + re.escape(delimiter) + "\r\n]")
        self._state = self.START
        self._field = 0
        self._length = 0
        self._big: int | None = None

    def _end_field(self) -> None:
        if self._length > CELL_LIMIT and self._big is None:
            self._big = self._field
        self._field += 1
        self._length = 0

    @staticmethod
    def _after_newline(text: str, at: int) -> int:
        return at + 2 if text.startswith("\r\n", at) else at + 1

    def feed(self, text: str) -> int:
        """Read the next piece of the row: where in ``text`` the row ended (just after its line
        end), or -1 if it goes on."""
        at, size = 0, len(text)
        while at < size:
            if self._state in (self.START, self.CLOSING):
                char = text[at]
                if char == '"':
                    if self._state == self.CLOSING:
                        self._length += 1
                    self._state = self.QUOTED
                    at += 1
                elif char == self._delimiter:
                    self._end_field()
                    self._state = self.START
                    at += 1
                elif char in "\r\n":
                    self._end_field()
                    return self._after_newline(text, at)
                else:
                    self._state = self.PLAIN
            elif self._state == self.PLAIN:
                found = self._plain_end.search(text, at)
                if found is None:
                    self._length += size - at
                    return -1
                self._length += found.start() - at
                at = found.start()
                self._end_field()
                if text[at] != self._delimiter:
                    return self._after_newline(text, at)
                self._state = self.START
                at += 1
            else:
                found = _CLOSING_QUOTE.match(text, at)
                if found is None:
                    self._length += size - at
                    return -1
                self._length += found.end() - at - 1
                at = found.end()
                self._state = self.CLOSING
        return -1

    def big_cell(self) -> int | None:
        """The index of the first cell bigger than :data:`CELL_LIMIT`, if there was one."""
        if self._big is None and self._length > CELL_LIMIT:
            return self._field
        return self._big


class _TooBig(Exception):
    def __init__(self, scan: _Scan) -> None:
        super().__init__("row too big")
        self.scan = scan


class _Source:
    """The lines csv.reader reads, never more than :data:`ROW_LIMIT` characters of a row: past
    that the rest of the row is skipped and :class:`_TooBig` raised (csv.reader passes it on).

    Text is read :data:`PIECE` characters at a time and cut into lines in one go. :meth:`lines`
    hands them out and keeps those of the row being read in :attr:`kept` (the reader empties it
    when a row begins); it stops at the end of the file, on :class:`_TooBig`, or when closed,
    and the next :meth:`lines` carries on from the first line not handed out.
    """

    def __init__(self, lines: Lines, delimiter: str) -> None:
        self._lines = lines
        self._delimiter = delimiter
        self.kept: list[str] = []
        self.ran_dry = False

    @property
    def number(self) -> int:
        """The number of the line the next :meth:`lines` starts with."""
        return self._lines.number

    def lines(self) -> Generator[str, None, None]:
        """The lines of the file from the first one not handed out yet, with their line ends."""
        kept = self.kept
        keep = kept.append
        carry: list[str] = []  # the start of a line the text read so far does not end
        carried = 0
        waiting: Iterator[str] = iter(())
        try:
            while text := self._lines.chunk():
                cut = max(text.rfind("\n"), text.rfind("\r")) + 1
                if not cut:
                    carry.append(text)
                    carried += len(text)
                    if carried + sum(map(len, kept)) > ROW_LIMIT:
                        more, carry = carry, []
                        raise self._too_big(more, "")
                    continue
                whole = text[:cut]
                if carry:
                    carry.append(whole)
                    whole = "".join(carry)
                carry = [text[cut:]] if cut < len(text) else []
                carried = len(text) - cut
                found = whole.splitlines(keepends=True)
                if len(found) != count_lines(whole):
                    # splitlines also ends lines at \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029.
                    found = _LINE.findall(whole)
                waiting = iter(found)
                size = sum(map(len, kept))
                if size + len(whole) <= ROW_LIMIT:
                    for line in waiting:
                        keep(line)
                        yield line
                    continue
                for line in waiting:
                    if not kept:  # a new row
                        size = 0
                    size += len(line)
                    if size > ROW_LIMIT:
                        raise self._too_big([line], "".join(waiting) + "".join(carry))
                    keep(line)
                    yield line
            if carry:
                if carried + sum(map(len, kept)) > ROW_LIMIT:
                    raise self._too_big(carry, "")
                line, carry = "".join(carry), []
                keep(line)
                yield line
            # csv only asks for another line inside a quoted cell: a quote never closed.
            self.ran_dry = bool(kept)
        except GeneratorExit:
            self._lines.push_back("".join(waiting) + "".join(carry))
            raise

    def _too_big(self, more: list[str], rest: str) -> _TooBig:
        self._lines.push_back(rest)
        return _TooBig(self.skip_row(more))

    def skip_row(self, more: Sequence[str] = ()) -> _Scan:
        """Skip the rest of the row begun with the lines kept (and ``more``); how it went."""
        scan = _Scan(self._delimiter)
        ended = -1
        for text in (*self.kept, *more):
            ended = scan.feed(text)
        self.kept.clear()
        while ended < 0:
            text = self._lines.chunk()
            if not text:
                break
            ended = scan.feed(text)
            if ended >= 0:
                self._lines.push_back(text[ended:])
        return scan


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


# --------------------------------------------------------------------------- rows into cards

_TEXT, _PHONE, _EMAIL, _ADDRESS, _BIRTHDAY, _EVENT, _TAGS, _NOTES = range(8)
_CODES = {
    "phone": _PHONE,
    "email": _EMAIL,
    **{part: _ADDRESS for part in (*_ADDRESS_PARTS, "po_box", "extended", "formatted")},
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
    steps: list[_Step | None] = [None] * width
    for column in columns:
        code = _CODES.get(column.field, _TEXT)
        steps[column.index] = _Step(
            column.index, code, column.field in _ONE_LINE, column.field, column.label, column.group, column
        )
    return steps


@dataclass(slots=True)
class _Address:
    label: str
    parts: dict[str, list[str]]


# Google's legacy system groups that say nothing about a contact ("* Friends", "* Family" and
# "* Coworkers" are system groups too, but people file contacts in them: they stay, unstarred).
_SYSTEM_GROUPS = frozenset({"my contacts", "starred"})

_LABELS_KEPT = 1000
"""How many label cells each reader remembers the meaning of: files use a handful of labels."""


class CsvFile:
    """The cards in a CSV stream. Reading the header happens on creation, so a file without a
    usable header fails with :class:`ImportFailed` before any row is read."""

    def __init__(
        self,
        lines: Lines,
        *,
        label: str,
        file_format: FileFormat,
        delimiter: str,
        mapping: Mapping[str, str] | None = None,
    ) -> None:
        if csv.field_size_limit() < CELL_LIMIT:
            # A process-wide setting; raising it to 1 MB only lets other readers take bigger cells.
            csv.field_size_limit(CELL_LIMIT)
        self._label = label
        self._format = file_format
        self._delimiter = delimiter
        self._source = _Source(lines, delimiter)
        self._restart()
        self.header_row, self.header = self._read_header()
        self._header_keys = [key(name) for name in self.header]
        self._columns = self._plan(mapping or {})
        self._steps = _steps(self._columns, len(self.header))
        self._multi = file_format in (FileFormat.GOOGLE, FileFormat.GOOGLE_LEGACY)
        self._labels: dict[Callable[[str], str], dict[str, str]] = {
            phone_label: {},
            email_label: {},
            address_label: {},
        }

    def _restart(self) -> None:
        """Read on from the first line not handed to csv yet, with a new csv.reader."""
        self._base = self._source.number
        self._feed = self._source.lines()
        self._reader = csv.reader(
            self._feed, delimiter=self._delimiter, quotechar='"', doublequote=True, strict=False
        )

    def _read_header(self) -> tuple[int, list[str]]:
        while True:
            start = self._base + self._reader.line_num
            self._source.kept.clear()
            try:
                cells = next(self._reader)
            except StopIteration:
                raise fail(self._label, "the file is empty") from None
            except (_TooBig, csv.Error):
                raise fail(self._label, "the first row is not a header of column names", start) from None
            if any(cell.strip() for cell in cells):
                header = [cell.strip().lstrip("\ufeff").strip() for cell in cells]
                return start, header

    def _plan(self, mapping: Mapping[str, str]) -> list[Column]:
        columns = columns_for(self._format, self.header)
        wanted: dict[str, str] = {}
        for column, spec in mapping.items():
            try:
                wanted[column.strip().casefold()] = parse_spec(spec)
            except ValueError as exc:
                raise fail(self._label, f"column mapping {f'{column}={spec}'!r}: {exc}") from None
        names = {name.casefold() for name in self.header}
        missing = [column for column in mapping if column.strip().casefold() not in names]
        if missing:
            raise fail(
                self._label,
                f"there is no column {missing[0].strip()!r} to map (columns: {self._shown()})",
                self.header_row,
            )
        if wanted:
            columns = [column for column in columns if column.name.casefold() not in wanted]
            columns += [
                _column(index, name, wanted[name.casefold()])
                for index, name in enumerate(self.header)
                if name.casefold() in wanted
            ]
            columns.sort(key=lambda column: column.index)
        fields = {column.field for column in columns}
        if not fields & (_NAMING | _REACHING):
            raise fail(
                self._label, f"no name, phone or email column (columns: {self._shown()})", self.header_row
            )
        return [column for column in columns if column.field != "ignore"]

    def _shown(self) -> str:
        names = [name or "(blank)" for name in self.header[:12]]
        return ", ".join(names) + (", …" if len(self.header) > 12 else "")

    def _column_name(self, index: int | None) -> str:
        if index is None:
            return ""
        return (
            self.header[index] if index < len(self.header) and self.header[index] else f"column {index + 1}"
        )

    def __iter__(self) -> Iterator[Card | RowProblem]:
        source, row_of = self._source, self._row
        reader, base, begin = self._reader, self._base, source.kept.clear
        while True:
            start = base + reader.line_num
            begin()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except _TooBig as big:
                self._restart()
                reader, base = self._reader, self._base
                yield self._too_big(start, big.scan)
                continue
            except csv.Error as exc:
                self._feed.close()
                scan = source.skip_row()
                self._restart()
                reader, base = self._reader, self._base
                if scan.big_cell() is not None:
                    yield self._too_big(start, scan)
                else:
                    yield RowProblem(start, f"this row cannot be read ({exc})")
                continue
            if source.ran_dry:
                yield RowProblem(
                    start,
                    'a quote (") opened in this row is never closed, so the rest of the file was read as one cell',
                )
                continue
            item = row_of(cells, start)
            if item is not None:
                yield item

    def _too_big(self, row: int, scan: _Scan) -> RowProblem:
        big = scan.big_cell()
        if big is None:
            return RowProblem(row, f"this row is bigger than {ROW_LIMIT // CELL_LIMIT} MB")
        name = self._column_name(big)
        return RowProblem(row, f"the cell in column {name!r} is bigger than 1 MB", field=name)

    def _tags(self, text: str) -> list[str]:
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

    def _row(self, cells: list[str], row: int) -> Card | RowProblem | None:
        # A cell of nothing but white space is blank. This runs for every row: it looks at the
        # cells that are not empty and, past the checks, only at those of columns that matter.
        for first in compress(count(), cells):
            if not cells[first].isspace():
                break
        else:
            return None
        if csv.field_size_limit() > CELL_LIMIT:  # else csv has refused bigger cells already
            for index, cell in enumerate(cells):
                if len(cell) > CELL_LIMIT and not cell.isspace():
                    name = self._column_name(index)
                    return RowProblem(row, f"the cell in column {name!r} is bigger than 1 MB", field=name)
        width = len(self.header)
        if len(cells) > width:
            last = max(index for index, cell in enumerate(cells) if cell and not cell.isspace()) + 1
            if last > width:
                return RowProblem(
                    row,
                    f"this row has {last} values but the header has {width} columns"
                    f" (a value with a {_DELIMITER_NAMES[self._delimiter]} in it that is not in quotes?)",
                )
        header_keys = self._header_keys
        # (A letter of the column name missing from the cell rules it out without key().)
        if header_keys[first][:1] in cells[first].casefold() and key(cells[first]) == header_keys[first]:
            filled = sum(1 for cell in cells if cell and not cell.isspace())
            same = sum(
                1
                for index, cell in enumerate(cells)
                if cell and not cell.isspace() and key(cell) == header_keys[index]
            )
            if same * 2 >= filled and (same >= 2 or width == 1):
                return RowProblem(row, "this row repeats the column names")
        if not (meaningful(cells[first]) or any(map(meaningful, cells))):
            return RowProblem(row, "this row has no letters or digits")
        return self._card(cells, row)

    def _card(self, cells: list[str], row: int) -> Card | RowProblem:
        multi = self._multi
        text: dict[str, str] = {}
        phones: dict[tuple[str, str], None] = {}
        emails: dict[tuple[str, str], None] = {}
        addresses: dict[str, _Address] = {}
        tags: list[str] = []
        notes: list[str] = []
        birthday: Birthday | None = None
        unread_birthday = ""
        for at, code, single_line, field, label, group, column in filter(None, compress(self._steps, cells)):
            raw = cells[at]
            if raw.isspace():
                continue
            if raw[0] == "'":
                raw = unneutralise(raw)
            if single_line and ("\n" in raw or "\r" in raw) and ("\n" in raw.strip() or "\r" in raw.strip()):
                return RowProblem(
                    row,
                    f"the cell in column {column.name!r} runs over several lines"
                    ' (a quote (") in this row that is never closed?)',
                    field=column.name,
                )
            if code <= _ADDRESS:
                if multi and " ::: " in raw:
                    values = self._values(raw)
                else:
                    value = raw.strip()
                    values = [value] if value else []
                if code == _ADDRESS:
                    place = addresses.get(group)
                    if place is None:
                        place = addresses[group] = _Address(
                            label or self._label_in(address_label, cells, column), {}
                        )
                    elif not place.label:
                        place.label = label or self._label_in(address_label, cells, column)
                    if "\r" in raw:
                        values = [newlines(value) for value in values]
                    parts = place.parts
                    if field in parts:
                        parts[field] += values
                    else:
                        parts[field] = values
                elif code == _TEXT:
                    if values and field not in text:
                        value = " ".join(values[0].split())  # one_line()
                        if meaningful(value):
                            text[field] = value
                elif code == _PHONE:
                    label = label or self._label_in(phone_label, cells, column)
                    # Kept even without a digit ("ask at the bakery"): flagged later, never dropped.
                    for value in values:
                        phones[value, label] = None
                else:
                    label = label or self._label_in(email_label, cells, column)
                    for value in values:
                        for part in [value] if multi else _EMAIL_SEPARATORS.split(value):
                            address = part.removeprefix("mailto:").strip()
                            if "@" in address:
                                emails[address, label] = None
            elif code == _TAGS:
                tags += self._tags(raw)
            elif code == _NOTES:
                notes.append(newlines(raw))
            else:
                where = column.label_index
                label_cell = cells[where] if where is not None and where < len(cells) else ""
                if code == _EVENT and "birth" not in label_words(_unquoted(label_cell)):
                    continue
                if birthday is None:
                    birthday = parse_birthday(raw)
                    if birthday is None and not no_birthday(raw):
                        unread_birthday = one_line(raw)
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
        if birthday is None and unread_birthday:
            notes.append(f"Birthday: {unread_birthday}")
        return Card(
            row=row,
            first_name=first,
            middle_name=middle,
            last_name=last,
            company=company,
            title=text.get("title", ""),
            phones=tuple([CardPhone(value, label) for value, label in phones]),
            emails=tuple([CardEmail(address, label) for address, label in emails]),
            addresses=_addresses(addresses) if addresses else (),
            birthday=birthday,
            tags=unique(tags) if tags else (),
            notes="\n\n".join([note for note in notes if note]) if notes else "",
        )


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


def _unquoted(cell: str) -> str:
    return unneutralise(cell) if cell[:1] == "'" else cell


def _addresses(found: dict[str, _Address]) -> tuple[CardAddress, ...]:
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
