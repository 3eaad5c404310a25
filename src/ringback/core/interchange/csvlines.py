"""The lines csv.reader reads from a contact CSV, never more than :data:`ROW_LIMIT` characters
of one row, and the scan that skips the rest of a row too big to read (or that csv gave up on),
finding where it ends and which cell was too big.

This is the reader's hot path: text is read :data:`~ringback.core.interchange.text.PIECE`
characters at a time and cut into lines in one go.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence

from ringback.core.interchange.text import Lines, count_lines

CELL_LIMIT = 1024 * 1024
"""The biggest cell read (in characters): 1 MB of text is no contact detail."""

ROW_LIMIT = 4 * CELL_LIMIT
"""The most characters of one row ever held; a bigger row is skipped."""


# Inside quotes, up to and including the quote that closes them: pairs of quotes are quotes.
_CLOSING_QUOTE = re.compile(r'(?:[^"]++|"")*+"(?!")')


class RowScan:
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


class RowTooBig(Exception):
    """A row bigger than :data:`ROW_LIMIT`, skipped; ``scan`` says which cell was too big."""

    def __init__(self, scan: RowScan) -> None:
        super().__init__("row too big")
        self.scan = scan


class RowLines:
    """The lines csv.reader reads, never more than :data:`ROW_LIMIT` characters of a row: past
    that the rest of the row is skipped and :class:`RowTooBig` raised (csv.reader passes it on).

    Text is read :data:`PIECE` characters at a time and cut into lines in one go. :meth:`lines`
    hands them out and keeps those of the row being read in :attr:`kept` (the reader empties it
    when a row begins); it stops at the end of the file, on :class:`RowTooBig`, or when closed,
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
                waiting = iter(_split_lines(whole))
                if sum(map(len, kept)) + len(whole) <= ROW_LIMIT:
                    for line in waiting:
                        keep(line)
                        yield line
                else:
                    yield from self._bounded(waiting, carry)
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

    def _bounded(self, waiting: Iterator[str], carry: list[str]) -> Generator[str, None, None]:
        """Hand out the ``waiting`` lines as :meth:`lines` does, adding up the size of the row
        they are in: past :data:`ROW_LIMIT` the rest of the row is skipped and
        :class:`RowTooBig` raised (``carry``, the start of a line after them, is read again)."""
        kept = self.kept
        size = sum(map(len, kept))
        for line in waiting:
            if not kept:  # a new row
                size = 0
            size += len(line)
            if size > ROW_LIMIT:
                raise self._too_big([line], "".join(waiting) + "".join(carry))
            kept.append(line)
            yield line

    def _too_big(self, more: list[str], rest: str) -> RowTooBig:
        self._lines.push_back(rest)
        return RowTooBig(self.skip_row(more))

    def skip_row(self, more: Sequence[str] = ()) -> RowScan:
        """Skip the rest of the row begun with the lines kept (and ``more``); how it went."""
        scan = RowScan(self._delimiter)
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


def _split_lines(text: str) -> list[str]:
    """``text`` cut into lines, each with its line end: ``\\r\\n``, ``\\r`` or ``\\n`` only."""
    found = text.splitlines(keepends=True)
    if len(found) != count_lines(text):
        # splitlines also ends lines at \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029.
        found = _LINE.findall(text)
    return found
