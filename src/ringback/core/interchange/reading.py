"""What the contact-file readers share: telling text from binary, decoding, bounded lines, and
what a name, a label or a birthday written in a file means.

Encoding is sniffed here rather than with a detection library (chardet and friends are not
dependencies, and guess from statistics): contact files come as UTF-8 (with or without a BOM),
UTF-16 with a BOM (Google's old export), or Windows-1252 (Outlook). A BOM decides; otherwise
the head is UTF-8 if it decodes strictly as UTF-8, else Windows-1252 if it decodes as that,
else the file is not text we can read. Past the head a stray byte must not abort a long import:
in a UTF-8 file it is read as Windows-1252 (files that mix the two exist), elsewhere it becomes
U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from ringback.core import clock
from ringback.core.errors import ImportFailed
from ringback.core.interchange.records import Birthday

HEAD_SIZE = 64 * 1024
"""How much of a file is looked at to decide what it is."""

PIECE = 64 * 1024
"""The most characters read from a stream at once."""

FALLBACK = "ringback-cp1252"
"""Codec error handler: a byte that is not UTF-8 is read as Windows-1252."""


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = bytes(exc.object[exc.start : exc.end])
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error(FALLBACK, _cp1252_fallback)


def fail(label: str, message: str, row: int | None = None) -> ImportFailed:
    """An :class:`ImportFailed` whose message starts with the file (and the row, if given)."""
    where = f"{label}, row {row}" if row is not None else label
    return ImportFailed(f"{where}: {message}")


# --------------------------------------------------------------------------- text or binary

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive; an Excel .xlsx is one, save it as CSV first"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.xls or .doc); save it as CSV first"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"bplist00", "an Apple binary property list"),
)

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Encoding:
    """How to decode a file: the codec, its name for people, and what to do with a bad byte."""

    codec: str
    name: str
    errors: str = "replace"

    def decode(self, data: bytes) -> str:
        """``data`` decoded (a character cut at the end of ``data`` may come out garbled)."""
        return data.decode(self.codec, errors=self.errors)


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the head of a file says: its encoding, or why it is not a text file."""

    encoding: Encoding | None = None
    binary: str = ""


def _utf16_without_bom(head: bytes) -> str:
    sample = head[:4096]
    if len(sample) < 4:
        return ""
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return ""


def sniff(head: bytes) -> Sniffed:
    """Decide from the first bytes of a file how to decode it, or say that it is binary.

    Neither ``encoding`` nor ``binary`` set means the bytes are neither UTF-8 nor Windows-1252.
    """
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return Sniffed(binary=what)
    encoding: Encoding | None = None
    for bom, codec, name in _BOMS:
        if head.startswith(bom):
            errors = FALLBACK if codec == "utf-8-sig" else "replace"
            encoding = Encoding(codec, name, errors)
            break
    if encoding is None:
        codec = _utf16_without_bom(head)
        if codec:
            encoding = Encoding(codec, "UTF-16")
    if encoding is None:
        if 0 in head:
            return Sniffed(binary="it contains NUL bytes")
        try:
            # Not final: the head may end in the middle of a character.
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            encoding = Encoding("utf-8", "UTF-8", FALLBACK)
        except UnicodeDecodeError:
            try:
                head.decode("cp1252")
                encoding = Encoding("cp1252", "Windows-1252")
            except UnicodeDecodeError:
                return Sniffed()
    text = encoding.decode(head)
    if "\x00" in text:
        return Sniffed(binary="it contains NUL bytes")
    controls = len(_CONTROL.findall(text))
    if controls > max(4, len(text) // 100):
        return Sniffed(binary="it is full of control characters")
    return Sniffed(encoding=encoding)


def check_head(head: bytes, label: str) -> Encoding:
    """The encoding of a file starting with ``head``, or :class:`ImportFailed` saying why the
    file cannot be read: empty, binary, or not text in an encoding we know."""
    if not head.strip(b" \t\r\n\x0c" + codecs.BOM_UTF8):
        raise fail(label, "the file is empty")
    found = sniff(head)
    if found.binary:
        raise fail(label, f"this is a binary file ({found.binary}), not a contact list")
    if found.encoding is None:
        raise fail(label, "the text is neither UTF-8 nor Windows-1252 (save it as UTF-8 and try again)")
    if not found.encoding.decode(head).strip(" \t\r\n\x0c\ufeff"):
        raise fail(label, "the file is empty")
    return found.encoding


# --------------------------------------------------------------------------- bounded lines


_LINE_END = re.compile(r"\r\n|\r|\n")


def count_lines(text: str) -> int:
    """How many line ends (``\r\n``, ``\r`` or ``\n``) ``text`` has."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class Lines:
    """Physical lines of a text stream, handed out in pieces of at most :data:`PIECE`
    characters so that one enormous line never has to be held whole.

    ``number`` is the 1-based number of the line the next piece belongs to.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending = ""
        self.number = 1

    def piece(self) -> str:
        """The next piece: ``""`` at the end, else text that ends its line if it ends in a newline."""
        if not self._pending:
            self._pending = self._stream.readline(PIECE)
            if self._pending.endswith("\r"):
                # A size limit can cut "\r\n" in two; the "\n" then comes back on its own.
                self._pending += self._stream.readline(PIECE)
        found = _LINE_END.search(self._pending)
        if found is None:
            piece, self._pending = self._pending, ""
        else:
            piece, self._pending = self._pending[: found.end()], self._pending[found.end() :]
            self.number += 1
        return piece

    def chunk(self) -> str:
        """The next :data:`PIECE` or so characters whatever the lines (``""`` at the end), never
        ending between the two characters of a ``\\r\\n``; give back what was not used with
        :meth:`push_back`."""
        text, self._pending = self._pending or self._stream.read(PIECE), ""
        if text.endswith("\r"):
            after = self._stream.read(PIECE)
            if after.startswith("\n"):
                text, after = text + "\n", after[1:]
            self._pending = after
        self.number += count_lines(text)
        return text

    def push_back(self, text: str) -> None:
        """Put back the unused end of the last :meth:`chunk`."""
        self.number -= count_lines(text)
        self._pending = text + self._pending


def ends_line(piece: str) -> bool:
    """Whether a piece from :meth:`Lines.piece` is the end of its line."""
    return piece.endswith(("\n", "\r"))


# --------------------------------------------------------------------------- what values mean

_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
_SUFFIXES = frozenset(
    {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d.", "esq", "esq."}
)


def meaningful(text: str) -> bool:
    """Whether ``text`` has a letter or a digit (punctuation alone is not a value)."""
    return text[:1].isalnum() or _LETTER_OR_DIGIT.search(text) is not None


def has_digit(text: str) -> bool:
    """Whether ``text`` has a digit: a phone number without one is not a phone number."""
    return bool(_DIGIT.search(text))


def one_line(text: str) -> str:
    """``text`` with runs of white space (newlines included) made one space, trimmed."""
    return " ".join(text.split())


def newlines(text: str) -> str:
    """``text`` with Windows and old Mac line ends made ``\\n``, trimmed."""
    if "\r" not in text:
        return text.strip()
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def split_full_name(text: str) -> tuple[str, str]:
    """Split a full name into (first name, last name).

    The last word is the last name and everything before it the first name ("Mary Ann Smith"
    is Mary Ann / Smith); a trailing suffix stays with the last name ("John Smith Jr." is John /
    Smith Jr.); "Smith, John" is the family-name-first form. One word is a first name.
    """
    name = one_line(text)
    if "," in name:
        before, after = (part.strip() for part in name.split(",", 1))
        if after.lower() in _SUFFIXES:
            name = f"{before} {after}"
        elif before and after:
            return after, before
        else:
            name = before or after
    words = name.split(" ")
    if len(words) == 1:
        return name, ""
    if len(words) >= 3 and words[-1].lower() in _SUFFIXES:
        return " ".join(words[:-2]), " ".join(words[-2:])
    return " ".join(words[:-1]), words[-1]


_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


def label_words(text: str) -> str:
    """A label as plain lower-case words: Apple's ``_$!<HomeFAX>!$_`` is ``homefax``, Google's
    ``* Work`` (the starred, primary one) is ``work``."""
    words = text.strip()
    apple = _APPLE_LABEL.match(words)
    if apple:
        words = apple.group(1)
    return one_line(words.lstrip("* ").lower())


def phone_label(text: str) -> str:
    """``mobile``, ``work``, ``home`` or ``other`` for a phone label written in a file.

    No label is ``mobile`` (CardPhone's default); faxes, pagers, "main" and any label we do not
    know are ``other``; "Work Mobile" is mobile.
    """
    words = label_words(text)
    if not words:
        return "mobile"
    if "fax" in words or "pager" in words:
        return "other"
    if (
        any(w in words for w in ("mobile", "cell", "iphone", "handy", "portable", "gsm"))
        or "car" in words.split()
    ):
        return "mobile"
    return _place_label(words)


def _place_label(words: str) -> str:
    """``work``, ``home`` or ``other`` for the words of a label (phones, emails, addresses)."""
    if any(w in words for w in ("work", "business", "office", "company")):
        return "work"
    if any(w in words for w in ("home", "private", "personal")):
        return "home"
    return "other"


def email_label(text: str) -> str:
    """``home``, ``work`` or ``other`` for an e-mail label; no label is ``home`` (CardEmail's
    default), a label we do not know is ``other``."""
    words = label_words(text)
    if not words:
        return "home"
    return _place_label(words)


def address_label(text: str) -> str:
    """``home``, ``work``, ``other``, or ``""`` when the file gives no label."""
    words = label_words(text)
    if not words:
        return ""
    return _place_label(words)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[t ].*)?$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\.? ([a-z]+)\.?,?(?: (\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,?(?: (\d{4}))?$")

APPLE_NO_YEAR = 1604
"""The year Apple writes for a birthday given without one."""


def _birthday(year: int | None, month: int, day: int, omit_year: int | None) -> Birthday | None:
    # A year outside the dates Ringback takes, or still to come, is no year of birth: keep the day.
    if year is not None and (
        year in (APPLE_NO_YEAR, omit_year) or not clock.EARLIEST_DAY.year <= year <= clock.now().year
    ):
        year = None
    try:
        date(year if year is not None else 2000, month, day)  # 2000: 29 February exists
    except ValueError:
        return None
    return Birthday(month=month, day=day, year=year)


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) > 2:
        return year
    this = clock.now().year
    return 2000 + year if 2000 + year <= this else 1900 + year


def parse_birthday(text: str, *, omit_year: int | None = None) -> Birthday | None:
    """The birthday written in ``text``, or ``None`` if it is not one we can read.

    Reads ISO dates (``1985-04-12``, ``19850412``, with a time after it too), dates without a
    year (``--04-12``, ``--0412``), ``1985/04/12``, ``12.04.1985`` (day first), ``4/12/1985``
    (month first, unless the first number cannot be a month), ``12 April 1985`` and
    ``April 12, 1985``. Apple's year 1604 (or ``omit_year``, its X-APPLE-OMIT-YEAR) means no
    year; Outlook's ``0/0/00`` is no birthday. Two-digit years are in the last hundred years.
    """
    value = one_line(text).lower()
    if not value:
        return None
    found = _NO_YEAR.match(value)
    if found:
        return _birthday(None, int(found.group(1)), int(found.group(2)), omit_year)
    found = _ISO.match(value) or _YMD.match(value)
    if found:
        return _birthday(int(found.group(1)), int(found.group(2)), int(found.group(3)), omit_year)
    found = _NUMERIC.match(value)
    if found:
        first, separator, second, year_text = found.groups()
        year = _full_year(year_text) if year_text else None
        month, day = int(first), int(second)
        if separator == "." or month > 12:
            month, day = day, month
        return _birthday(year, month, day, omit_year)
    found = _DAY_MONTH.match(value)
    if found and found.group(2) in _MONTHS:
        year = int(found.group(3)) if found.group(3) else None
        return _birthday(year, _MONTHS[found.group(2)], int(found.group(1)), omit_year)
    found = _MONTH_DAY.match(value)
    if found and found.group(1) in _MONTHS:
        year = int(found.group(3)) if found.group(3) else None
        return _birthday(year, _MONTHS[found.group(1)], int(found.group(2)), omit_year)
    return None


def no_birthday(text: str) -> bool:
    """Whether ``text`` is a way of writing "no birthday" (Outlook's ``0/0/00``, zeros)."""
    return not text.strip() or set(text.strip()) <= set("0/.- ")


def unique(values: list[str]) -> tuple[str, ...]:
    """``values`` without blanks and repeats (compared ignoring case), in first-seen order."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        value = one_line(value)
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return tuple(kept)
