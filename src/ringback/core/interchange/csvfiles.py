"""Reading a contact CSV: Google's current and legacy exports, Outlook's, and any other CSV whose
columns are guessed from their names (or mapped by the user).

:class:`CsvFile` reads the header, works out what each column holds
(:mod:`~ringback.core.interchange.csvcolumns`), then streams the rows, checking each (blank, a
cell too big, more values than columns, the header repeated) before it becomes a card
(:mod:`~ringback.core.interchange.csvcards`).

Rows are streamed: the csv module reads lines handed to it by
:class:`~ringback.core.interchange.csvlines.RowLines`, which never holds more than
:data:`~ringback.core.interchange.csvlines.ROW_LIMIT` characters of one row. A row bigger than
that, or with a cell bigger than :data:`~ringback.core.interchange.csvlines.CELL_LIMIT`,
becomes a :class:`RowProblem` and the reader carries on with the row after it.

A row's number is the line of the file it starts on, the header being row 1: the same as the
row number in a spreadsheet unless an earlier cell runs over several lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from itertools import compress, count

from ringback.core.interchange.csvcards import RowCards
from ringback.core.interchange.csvcolumns import (
    NAMING,
    REACHING,
    Column,
    columns_for,
    key,
    parse_spec,
    spec_column,
)
from ringback.core.interchange.csvlines import CELL_LIMIT, ROW_LIMIT, RowLines, RowScan, RowTooBig
from ringback.core.interchange.records import Card, FileFormat, RowProblem
from ringback.core.interchange.text import Lines, fail
from ringback.core.interchange.values import meaningful


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
        self._source = RowLines(lines, delimiter)
        self._restart()
        self.header_row, self.header = self._read_header()
        self._header_keys = [key(name) for name in self.header]
        self._cards = RowCards(file_format, self._plan(mapping or {}), len(self.header))

    def _restart(self) -> None:
        """Read on from the first line not handed to csv yet, with a new csv.reader."""
        self._base = self._source.number
        self._feed = self._source.lines()
        self._reader = csv.reader(
            self._feed, delimiter=self._delimiter, quotechar='"', doublequote=True, strict=False
        )

    def _read_header(self) -> tuple[int, list[str]]:
        """The first row that is not blank, and its number: the column names, stripped."""
        while True:
            start = self._base + self._reader.line_num
            self._source.kept.clear()
            try:
                cells = next(self._reader)
            except StopIteration:
                raise fail(self._label, "the file is empty") from None
            except (RowTooBig, csv.Error):
                raise fail(self._label, "the first row is not a header of column names", start) from None
            if any(cell.strip() for cell in cells):
                header = [cell.strip().lstrip("\ufeff").strip() for cell in cells]
                return start, header

    def _plan(self, mapping: Mapping[str, str]) -> list[Column]:
        """The columns to read: as the format says or their names suggest, unless ``mapping``
        says otherwise; ImportFailed if it names a column that is not there, or if no column
        holds a name, phone or email."""
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
                spec_column(index, name, wanted[name.casefold()])
                for index, name in enumerate(self.header)
                if name.casefold() in wanted
            ]
            columns.sort(key=lambda column: column.index)
        fields = {column.field for column in columns}
        if not fields & (NAMING | REACHING):
            raise fail(
                self._label, f"no name, phone or email column (columns: {self._shown()})", self.header_row
            )
        return [column for column in columns if column.field != "ignore"]

    def _shown(self) -> str:
        """The first dozen column names, for a message."""
        names = [name or "(blank)" for name in self.header[:12]]
        return ", ".join(names) + (", …" if len(self.header) > 12 else "")

    def _column_name(self, index: int | None) -> str:
        """The name of column ``index`` for a message ("column 3" if it has none)."""
        if index is None:
            return ""
        return (
            self.header[index] if index < len(self.header) and self.header[index] else f"column {index + 1}"
        )

    def __iter__(self) -> Iterator[Card | RowProblem]:
        """The cards, and a problem for each row that cannot be read (reading on after it)."""
        source, row_of = self._source, self._row
        reader, base, begin = self._reader, self._base, source.kept.clear
        while True:
            start = base + reader.line_num
            begin()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except RowTooBig as big:
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

    def _too_big(self, row: int, scan: RowScan) -> RowProblem:
        """The problem of a row that was skipped: the cell too big in it, or the row itself."""
        big = scan.big_cell()
        if big is None:
            return RowProblem(row, f"this row is bigger than {ROW_LIMIT // CELL_LIMIT} MB")
        name = self._column_name(big)
        return RowProblem(row, f"the cell in column {name!r} is bigger than 1 MB", field=name)

    def _row(self, cells: list[str], row: int) -> Card | RowProblem | None:
        """The card in row ``row``, or why it cannot be one (a cell too big, more values than
        columns, the header again, no letter or digit); None for a blank row."""
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
        return self._cards.card(cells, row)


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
