"""A contact file as text: telling text from binary, its encoding, and its lines read in
bounded pieces (shared by the CSV and vCard readers).

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
from typing import TextIO

from ringback.core.errors import ImportFailed

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


def _encoding(head: bytes) -> Encoding | Sniffed:
    """The encoding a BOM says, else UTF-16 without one, else UTF-8 or Windows-1252 if the bytes
    decode as that; a :class:`Sniffed` saying why not otherwise (NUL bytes, or no encoding)."""
    for bom, codec, name in _BOMS:
        if head.startswith(bom):
            return Encoding(codec, name, FALLBACK if codec == "utf-8-sig" else "replace")
    codec = _utf16_without_bom(head)
    if codec:
        return Encoding(codec, "UTF-16")
    if 0 in head:
        return Sniffed(binary="it contains NUL bytes")
    try:
        # Not final: the head may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return Encoding("utf-8", "UTF-8", FALLBACK)
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
    except UnicodeDecodeError:
        return Sniffed()
    return Encoding("cp1252", "Windows-1252")


def sniff(head: bytes) -> Sniffed:
    """Decide from the first bytes of a file how to decode it, or say that it is binary.

    Neither ``encoding`` nor ``binary`` set means the bytes are neither UTF-8 nor Windows-1252.
    """
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return Sniffed(binary=what)
    encoding = _encoding(head)
    if isinstance(encoding, Sniffed):
        return encoding
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
