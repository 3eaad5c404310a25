"""The cards in a contact file, streamed: :func:`open_cards` opens any contact file (its
format detected, or given) and reads it as :class:`~ringback.core.interchange.records.Card`
records, one at a time.

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
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from types import TracebackType

from ringback.core.interchange.csvfiles import CsvFile
from ringback.core.interchange.detect import detect_format, sniff_delimiter
from ringback.core.interchange.records import Card, FileFormat, RowProblem
from ringback.core.interchange.text import HEAD_SIZE, Lines, check_head, fail
from ringback.core.interchange.vcards import VCardFile

__all__ = ["CardReader", "open_cards"]


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
                delimiter = sniff_delimiter(encoding.decode(head))
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
    spaces; see :func:`~ringback.core.interchange.csvcolumns.parse_mapping`). ``label`` names the file in messages (``path.name`` by
    default). Raises :class:`~ringback.core.errors.ImportFailed` if the file cannot be opened,
    is empty, binary, not UTF-8/UTF-16/Windows-1252 text, a CSV without a name, phone or email
    column, a mapping names a column that is not there, or a vCard file has no BEGIN:VCARD.
    """
    return CardReader(path, file_format=file_format, mapping=mapping, label=label)
