"""Reading contact files into cards: what kind of file it is, and a streaming reader for it.

>>> with open_cards(Path("contacts.csv")) as cards:  # doctest: +SKIP
...     for item in cards:  # a Card, or a RowProblem for a row that cannot be read
...         ...

Files are streamed: memory stays flat whatever the file size (one row or card at a time, and
never more than a few MB of one). File-level problems (empty, binary, undecodable, no usable
header, no BEGIN:VCARD) raise :class:`~ringback.core.errors.ImportFailed` naming the file; when
opening, or while reading for the few that only show later.
"""

from __future__ import annotations

import io
import os
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from ringback.core.interchange import csvfiles
from ringback.core.interchange.csvfiles import CsvFile
from ringback.core.interchange.reading import HEAD_SIZE, Lines, check_head, fail, sniff
from ringback.core.interchange.records import Card, FileFormat, RowProblem
from ringback.core.interchange.vcards import VCardFile

__all__ = ["CardReader", "detect_format", "open_cards", "parse_mapping"]

_VCARD_NAMES = (".vcf", ".vcard")


def detect_format(head: bytes, *, filename: str = "") -> FileFormat:
    """Guess a file's format from its first bytes (about 64 KB).

    vCard if the first line with text (after a BOM and blank lines) is BEGIN:VCARD in any case.
    Otherwise the header row decides: Google's current export (First Name plus Labels or "Phone 1 - Value"-style
    columns), Google's legacy export (Given Name and Family Name, Group Membership, or
    "E-mail 1 - Type"-style columns), Outlook's (First/Last Name plus columns such as E-mail
    Address, Mobile Phone, Business Phone), else vCard if ``filename`` ends in .vcf or .vcard
    (opening it then says if it has no BEGIN:VCARD), else any other CSV. Never raises: bytes that are not
    text come back as CSV, and opening them says what is wrong.
    """
    encoding = sniff(head).encoding
    if encoding is None:
        return FileFormat.CSV
    text = encoding.decode(head)
    if text.lstrip(" \t\r\n\x0c\ufeff")[:11].upper() == "BEGIN:VCARD":
        return FileFormat.VCARD
    found = csvfiles.header_format(csvfiles.first_row(text, csvfiles.sniff_delimiter(text)))
    if found == FileFormat.CSV and filename.lower().endswith(_VCARD_NAMES):
        return FileFormat.VCARD
    return found


def parse_mapping(specs: Sequence[str]) -> dict[str, str]:
    """Parse ``--map`` arguments such as ``Cell=phone:mobile`` into {column: field spec}.

    The column is everything before the last ``=`` (stripped); it matches a CSV column name
    ignoring case. Field specs: first_name, middle_name, last_name, name (a full name: the last
    word is the last name, the rest the first name; "Smith, John" is last name first; "John
    Smith Jr." keeps Jr. with Smith), company, title, phone[:mobile|work|home|other],
    email[:home|work|other], tags, notes, birthday, street, city, region, postal_code, country
    (address parts may take :home|work|other) and ignore. Raises ImportFailed naming the
    argument that is wrong.
    """
    return csvfiles.parse_mapping(specs)


class CardReader:
    """The cards in one contact file, read as they are iterated (once); a context manager.

    ``format`` is the file's format, ``total_bytes`` its size, ``bytes_read`` how far reading
    has got (for a progress bar; it reaches ``total_bytes`` at the end).
    """

    format: FileFormat
    total_bytes: int
    bytes_read: int

    def __init__(
        self,
        path: Path,
        *,
        file_format: FileFormat | None = None,
        mapping: Mapping[str, str] | None = None,
        label: str | None = None,
    ) -> None:
        self.label = label or path.name
        self.bytes_read = 0
        try:
            self._raw = path.open("rb")
        except OSError as exc:
            raise fail(self.label, f"the file cannot be opened ({exc.strerror or exc})") from None
        try:
            self.total_bytes = os.fstat(self._raw.fileno()).st_size
            head = self._raw.read(HEAD_SIZE)
            encoding = check_head(head, self.label)
            self.format = file_format or detect_format(head, filename=path.name)
            self._raw.seek(0)
            is_vcard = self.format == FileFormat.VCARD
            self._text = io.TextIOWrapper(
                self._raw,
                encoding=encoding.codec,
                errors=encoding.errors,
                newline=None if is_vcard else "",
            )
            lines = Lines(self._text)
            self._source: VCardFile | CsvFile
            if is_vcard:
                if "BEGIN:VCARD" not in encoding.decode(head).upper():
                    raise fail(self.label, "there is no BEGIN:VCARD in this file, so it is not a vCard file")
                self._source = VCardFile(lines, label=self.label)
            else:
                delimiter = csvfiles.sniff_delimiter(encoding.decode(head))
                self._source = CsvFile(
                    lines, label=self.label, file_format=self.format, delimiter=delimiter, mapping=mapping
                )
        except OSError as exc:
            self._raw.close()
            raise fail(self.label, f"the file cannot be read ({exc.strerror or exc})") from None
        except BaseException:
            self._raw.close()
            raise
        self._items: Generator[Card | RowProblem, None, None] | None = None

    def _read(self) -> Generator[Card | RowProblem, None, None]:
        try:
            for item in self._source:
                self.bytes_read = min(self._raw.tell(), self.total_bytes)
                yield item
        except OSError as exc:
            raise fail(self.label, f"the file cannot be read ({exc.strerror or exc})") from None
        self.bytes_read = self.total_bytes

    def __iter__(self) -> Iterator[Card | RowProblem]:
        if self._items is None:
            self._items = self._read()
        return self._items

    def close(self) -> None:
        """Stop reading and close the file (closing twice is fine)."""
        if self._items is not None:
            self._items.close()
        self._raw.close()

    def __enter__(self) -> CardReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_cards(
    path: Path,
    *,
    file_format: FileFormat | None = None,
    mapping: Mapping[str, str] | None = None,
    label: str | None = None,
) -> CardReader:
    """Open a contact file for reading, streaming (the file is never loaded whole).

    ``file_format`` skips detection (:func:`detect_format` otherwise). ``mapping`` overrides
    what CSV columns hold ({column name: field spec}, names matched ignoring case and outer
    spaces; see :func:`parse_mapping`). ``label`` names the file in messages (``path.name`` by
    default). Raises :class:`~ringback.core.errors.ImportFailed` if the file cannot be opened,
    is empty, binary, not UTF-8/UTF-16/Windows-1252 text, a CSV without a name, phone or email
    column, a mapping names a column that is not there, or a vCard file has no BEGIN:VCARD.
    """
    return CardReader(path, file_format=file_format, mapping=mapping, label=label)
