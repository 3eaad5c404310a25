"""What a contact file is: a vCard file, or a CSV from Google (current or legacy export), from
Outlook or from anywhere else; and which delimiter a CSV uses. All from the first bytes (about
64 KB) of the file, never raising.
"""

from __future__ import annotations

import csv
import io
from itertools import islice

from ringback.core.interchange.csvcolumns import header_format
from ringback.core.interchange.records import FileFormat
from ringback.core.interchange.text import sniff

DELIMITERS = (",", ";", "\t", "|")
"""The delimiters a CSV may use: comma, semicolon, tab and bar."""

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
    found = header_format(first_row(text, sniff_delimiter(text)))
    if found == FileFormat.CSV and filename.lower().endswith(_VCARD_NAMES):
        return FileFormat.VCARD
    return found


def _rows(text: str, delimiter: str, limit: int) -> list[list[str]]:
    """The first ``limit`` rows of ``text`` that are not blank (none if csv cannot read them)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [row for row in islice(reader, limit) if any(cell.strip() for cell in row)]
    except csv.Error:
        return []


def _complete_lines(text: str) -> str:
    """``text`` up to the end of its last whole line (all of it if it has no line end)."""
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
