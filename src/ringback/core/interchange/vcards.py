"""Reading vCard files: 3.0 (RFC 2426) and 4.0 (RFC 6350) as iPhone and Android export them,
and the 2.1 style Android still writes (CHARSET, QUOTED-PRINTABLE).

The text is split into cards here, line by line, rather than by ``vobject.readComponents``,
because that function (0.9.9) cannot do what an import needs:

* without ``allowQP`` it reads the whole stream into memory before the first card;
* after one broken card it raises, and a generator that raised cannot go on to the next card;
* a card with no END:VCARD swallows the next card as a child, or fails the whole file;
* its line numbers are off by one for the first line and after a blank line.

So this module finds each card's BEGIN and END lines itself (knowing their line numbers), skips
PHOTO/LOGO/SOUND/KEY data as it goes (never holding it), and hands each card's lines to vobject:
``vobject.base.getLogicalLines`` unfolds folded and quoted-printable lines, and
``vobject.base.textLineToContentLine`` parses each property (group, name, parameters, value) and
decodes quoted-printable in its CHARSET. Values are unescaped here: vobject's own text
behaviour keeps a value only up to its first unescaped comma (``stringToTextValues(...)[0]``),
which would cut "NOTE:Call after 5, not before" at the comma.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import vobject.base

from ringback.core.interchange.records import Card, CardAddress, CardEmail, CardPhone, Notice, RowProblem
from ringback.core.interchange.text import Lines, ends_line, fail
from ringback.core.interchange.values import (
    NOT_AN_EMAIL,
    address_label,
    email_label,
    newlines,
    one_line,
    phone_label,
    read_birthdays,
    split_full_name,
    unique,
)

CARD_LIMIT = 1024 * 1024
"""The most characters of one card (photos aside) ever held; a bigger card is skipped."""

_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
_BLOB = re.compile(r"^(?:[A-Za-z0-9_-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
_PROPERTY = re.compile(r"^[A-Za-z0-9_.-]+[;:]")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)

# The grammar of vobject's content-line regex (group.NAME;PARAM=v,"v":value), written so that it
# cannot backtrack: vobject's own regex takes exponential time on a line that does not match
# (24 commas in a parameter and no colon take 15 s), so lines are checked with this first.
_CONTENT_LINE = re.compile(
    r'(?:[A-Za-z0-9_-]++\.)?+[A-Za-z0-9_-]++;?(?:;[A-Za-z0-9_-]++(?:[=,](?:"[^"]*+"|[^";:,]*+))*+)*+:'
)

# Types that say nothing about whose number or address it is.
_NEUTRAL = frozenset(
    {"pref", "voice", "msg", "bbs", "modem", "video", "text", "textphone", "internet", "x400"}
)


def unescape(value: str) -> str:
    """A vCard text value with its backslash escapes undone (``\\n`` is a newline; ``\\,``
    ``\\;`` ``\\:`` ``\\\\`` are the character; any other escape is kept as written)."""

    def one(found: re.Match[str]) -> str:
        char = found.group(1)
        if char in "nN":
            return "\n"
        return char if char in ",;:\\" else found.group(0)

    return _ESCAPED.sub(one, value)


def split_escaped(value: str, separator: str) -> list[str]:
    """``value`` split at each ``separator`` that is not escaped with a backslash (the parts are
    still escaped)."""
    parts: list[str] = []
    start = 0
    for found in re.finditer(r"\\.|" + re.escape(separator), value, re.DOTALL):
        if found.group(0) == separator:
            parts.append(value[start : found.start()])
            start = found.end()
    parts.append(value[start:])
    return parts


def _list_text(value: str) -> str:
    """A structured component whose unescaped commas separate several values, as one text."""
    return one_line(" ".join(unescape(part) for part in split_escaped(value, ",")))


@dataclass(frozen=True, slots=True)
class _Property:
    group: str
    name: str
    params: dict[str, list[str]]
    value: str

    def types(self) -> list[str]:
        """The TYPE parameter's values and vCard 2.1's bare parameters (``TEL;CELL``), lower case."""
        found: list[str] = []
        for value in self.params.get("TYPE", []):
            found += value.split(",")
        return [word.strip().lower() for word in found if word.strip()]

    def param(self, name: str) -> str:
        values = self.params.get(name, [])
        return values[0] if values else ""


class _Unreadable(Exception):
    pass


def _property(line: str) -> _Property:
    if not _CONTENT_LINE.match(line):
        raise _Unreadable(line)
    content = vobject.base.textLineToContentLine(line)
    params: dict[str, list[str]] = {str(k).upper(): [str(v) for v in vs] for k, vs in content.params.items()}
    # vCard 2.1 writes types bare: TEL;CELL;VOICE. vobject keeps those as "singleton" parameters.
    params.setdefault("TYPE", []).extend(str(v) for v in content.singletonparams)
    value = content.value
    text = value if isinstance(value, str) else bytes(value).decode("utf-8", errors="replace")
    return _Property(str(content.group or "").lower(), str(content.name).upper(), params, text)


class VCardFile:
    """The cards in a vCard text stream, each as a :class:`Card` (``row`` is its BEGIN:VCARD
    line) or a :class:`RowProblem` (a card that cannot be read, or has no END:VCARD)."""

    def __init__(self, lines: Lines, *, label: str) -> None:
        self._lines = lines
        self._label = label

    def _line(self) -> tuple[str, bool] | None:
        """The next line without its newline (at most :data:`CARD_LIMIT` characters of it) and
        whether it is whole; ``None`` at the end of the file."""
        parts: list[str] = []
        size = 0
        while True:
            piece = self._lines.piece()
            if not piece:
                if not parts and not size:
                    return None
                break
            if size <= CARD_LIMIT:
                parts.append(piece)
            size += len(piece)
            if ends_line(piece):
                break
        return "".join(parts).rstrip("\r\n"), size <= CARD_LIMIT

    def _numbered_lines(self) -> Iterator[tuple[int, str, bool]]:
        """Each line's number, its text and whether it is whole (see :meth:`_line`)."""
        while True:
            number = self._lines.number
            read = self._line()
            if read is None:
                return
            yield number, *read

    def __iter__(self) -> Iterator[Card | RowProblem]:
        card: _OpenCard | None = None
        found = False
        for number, line, whole in self._numbered_lines():
            if _BEGIN.match(line):
                if card is not None:
                    yield _no_end(card.begin)
                card, found = _OpenCard(number), True
            elif card is None:
                continue  # text between cards
            elif _END.match(line):
                yield card.end()
                card = None
            else:
                card.add(line, whole=whole)
        if card is not None:
            yield _no_end(card.begin)
        if not found:
            raise fail(self._label, "there is no BEGIN:VCARD in this file, so it is not a vCard file")


@dataclass(slots=True)
class _OpenCard:
    """The card being read, whose BEGIN:VCARD is on line ``begin``: the lines kept so far, with
    PHOTO, LOGO, SOUND and KEY data and blank lines left out, and none at all once the lines come
    to more than :data:`CARD_LIMIT` characters."""

    begin: int
    kept: list[str] = field(default_factory=list)
    size: int = 0
    in_blob: bool = False
    too_big: bool = False

    def add(self, line: str, *, whole: bool) -> None:
        """Take in a line between the card's BEGIN and END (``whole``: not cut at the limit)."""
        if self._blob_line(line) or self.too_big or not line.strip():
            return
        self.size += len(line)
        if self.size > CARD_LIMIT or not whole:
            self.too_big, self.kept = True, []
            return
        self.kept.append(line)

    def _blob_line(self, line: str) -> bool:
        """Whether ``line`` belongs to a PHOTO, LOGO, SOUND or KEY: its first line, and every
        line after it up to the next property (folded, blank, or base64 without an indent).
        Notes, in ``in_blob``, whether the lines that follow may still belong to it."""
        if self.in_blob and (not line.strip() or line[0] in " \t" or not _PROPERTY.match(line)):
            return True
        self.in_blob = bool(_BLOB.match(line))
        return self.in_blob

    def end(self) -> Card | RowProblem:
        """The card, read at its END:VCARD; a :class:`RowProblem` if it is too big or cannot be read."""
        if self.too_big:
            return RowProblem(
                self.begin, f"the card starting at line {self.begin} is bigger than 1 MB (photo aside)"
            )
        return read_card(self.begin, self.kept)


def _no_end(begin: int) -> RowProblem:
    return RowProblem(begin, f"the card starting at line {begin} has no END:VCARD")


def _phone(prop: _Property, label: str) -> CardPhone | None:
    text = unescape(prop.value).strip()
    extension = ""
    is_uri = prop.param("VALUE").lower() == "uri" or text.lower().startswith("tel:")
    if is_uri:
        number, *params = text.removeprefix("tel:").removeprefix("TEL:").split(";")
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "ext":
                extension = urllib.parse.unquote(value.strip())
        text = urllib.parse.unquote(number).strip()
    if not text:
        return None  # kept even without a digit ("ask at the bakery"): flagged later, never dropped
    words = label or " ".join(word for word in prop.types() if word not in _NEUTRAL)
    return CardPhone(text, phone_label(words), extension)


def _email(prop: _Property, label: str) -> CardEmail | None:
    address = unescape(prop.value).strip().removeprefix("mailto:").strip()
    if "@" not in address:
        return None
    words = label or " ".join(word for word in prop.types() if word not in _NEUTRAL)
    return CardEmail(address, email_label(words))


def _address(prop: _Property, label: str) -> CardAddress | None:
    parts = [
        _list_text(part) if at >= 3 else newlines(unescape(part))
        for at, part in enumerate(split_escaped(prop.value, ";"))
    ]
    box, extended, street, city, region, code, country = (parts + [""] * 7)[:7]
    lines = "\n".join(text for text in (street, extended, box) if text)
    words = label or " ".join(word for word in prop.types() if word not in _NEUTRAL)
    found = CardAddress(address_label(words), lines, city, region, code, country)
    return None if found.empty else found


def _birthday_text(prop: _Property) -> tuple[str, int | None]:
    """A BDAY's text, and the year its X-APPLE-OMIT-YEAR says means "no year"."""
    omit = prop.param("X-APPLE-OMIT-YEAR")
    year = int(omit) if omit.isdecimal() and len(omit) <= 4 else None
    return unescape(prop.value), year


def read_card(begin: int, lines: Sequence[str]) -> Card | RowProblem:
    """The card whose BEGIN:VCARD is on line ``begin``, from the lines between its BEGIN and END
    (PHOTO and the like already left out); a :class:`RowProblem` if a line cannot be read."""
    props = _properties(begin, lines)
    if isinstance(props, RowProblem):
        return props
    card = _card(begin, props)
    if not (card.has_name or card.phones or card.emails):
        return RowProblem(begin, "no name, phone or email")
    return card


def _properties(begin: int, lines: Sequence[str]) -> list[_Property] | RowProblem:
    """The card's properties, folded and quoted-printable lines joined; a :class:`RowProblem`
    for the first that cannot be read."""
    props: list[_Property] = []
    stream = io.StringIO("\n".join(lines) + "\n")
    for logical, _ in vobject.base.getLogicalLines(stream, allowQP=True):
        try:
            props.append(_property(logical))
        except (_Unreadable, vobject.base.VObjectError):
            shown = logical if len(logical) <= 60 else logical[:57] + "..."
            return RowProblem(
                begin, f"the card starting at line {begin} has a line that cannot be read: {shown!r}"
            )
        except (LookupError, UnicodeError, ValueError, TypeError):
            return RowProblem(
                begin, f"the card starting at line {begin} has text in a character set that cannot be read"
            )
    return props


def _card(begin: int, props: Sequence[_Property]) -> Card:
    """The card its properties describe, on line ``begin`` (with or without a name, phone or email)."""
    labels = _labels(props)
    company = _first(props, "ORG", _organization)
    first, middle, last = _person_name(
        _name_parts(props),
        full=_first(props, "FN", _text),
        company=company,
        nickname=_first(props, "NICKNAME", _nickname),
    )
    birthday, birthday_notes, notices = read_birthdays(_birthday_text(prop) for prop in _named(props, "BDAY"))
    notes = [newlines(unescape(prop.value)) for prop in _named(props, "NOTE")] + birthday_notes
    notices += _email_notices(props)
    tags = [unescape(part) for prop in _named(props, "CATEGORIES") for part in split_escaped(prop.value, ",")]
    return Card(
        row=begin,
        first_name=first,
        middle_name=middle,
        last_name=last,
        company=company,
        title=_first(props, "TITLE", _text),
        phones=_details(props, "TEL", _phone, labels),
        emails=_details(props, "EMAIL", _email, labels),
        addresses=_details(props, "ADR", _address, labels),
        birthday=birthday,
        tags=unique(tags),
        notes="\n\n".join(note for note in notes if note),
        notices=tuple(notices),
    )


def _named(props: Sequence[_Property], name: str) -> Iterator[_Property]:
    """The properties called ``name``, in order."""
    return (prop for prop in props if prop.name == name)


def _labels(props: Sequence[_Property]) -> dict[str, str]:
    """Each group's label (``item1.X-ABLabel:Boat`` labels ``item1.TEL``), unescaped."""
    return {prop.group: unescape(prop.value) for prop in _named(props, "X-ABLABEL") if prop.group}


def _first(props: Sequence[_Property], name: str, read: Callable[[str], str]) -> str:
    """What ``read`` makes of the value of the first ``name`` property that does not come to
    nothing; "" if none."""
    for prop in _named(props, name):
        if text := read(prop.value):
            return text
    return ""


def _text(value: str) -> str:
    """A text value, on one line."""
    return one_line(unescape(value))


def _organization(value: str) -> str:
    """The company of an ORG value (its units left out)."""
    return one_line(unescape(split_escaped(value, ";")[0]))


def _nickname(value: str) -> str:
    """The first of a NICKNAME value's nicknames."""
    return _list_text(split_escaped(value, ",")[0])


def _name_parts(props: Sequence[_Property]) -> list[str]:
    """The parts of the first N property (family, given, additional, prefixes, suffixes)."""
    return next(
        ([_list_text(part) for part in split_escaped(prop.value, ";")] for prop in _named(props, "N")), []
    )


def _person_name(names: list[str], *, full: str, company: str, nickname: str) -> tuple[str, str, str]:
    """First, middle and last name: N's, if it has a given or a family name; else FN split in
    two (unless FN is the company: a company's card has no person), else N's additional name,
    else the nickname."""
    family, given, additional = (names + [""] * 3)[:3]
    if given or family:
        return given, additional, family
    if full and full != company:
        first, last = split_full_name(full)
        return first, "", last
    if additional:
        return additional, "", ""
    return nickname, "", ""


def _email_notices(props: Sequence[_Property]) -> list[Notice]:
    """A notice for each EMAIL with no address in it (left out)."""
    return [
        Notice.of("email", text, NOT_AN_EMAIL)
        for prop in _named(props, "EMAIL")
        if (text := unescape(prop.value).strip()) and "@" not in text
    ]


_Detail = TypeVar("_Detail", CardPhone, CardEmail, CardAddress)


def _details(
    props: Sequence[_Property],
    name: str,
    read: Callable[[_Property, str], _Detail | None],
    labels: Mapping[str, str],
) -> tuple[_Detail, ...]:
    """What ``read`` makes of each ``name`` property given its group's label, in order, without
    repeats and without those it makes nothing of."""
    found = (read(prop, labels.get(prop.group, "")) for prop in _named(props, name))
    return tuple(dict.fromkeys(detail for detail in found if detail is not None))
