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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import vobject.base

from ringback.core.interchange.records import Birthday, Card, CardAddress, CardEmail, CardPhone, RowProblem
from ringback.core.interchange.text import Lines, ends_line, fail
from ringback.core.interchange.values import (
    address_label,
    email_label,
    newlines,
    no_birthday,
    one_line,
    parse_birthday,
    phone_label,
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

    def __iter__(self) -> Iterator[Card | RowProblem]:
        begin: int | None = None
        kept: list[str] = []
        size = 0
        in_blob = too_big = found = False
        while True:
            number = self._lines.number
            read = self._line()
            if read is None:
                break
            line, whole = read
            if _BEGIN.match(line):
                if begin is not None:
                    yield _no_end(begin)
                begin, kept, size, in_blob, too_big, found = number, [], 0, False, False, True
                continue
            if begin is None:
                continue  # text between cards
            if _END.match(line):
                if too_big:
                    yield RowProblem(
                        begin, f"the card starting at line {begin} is bigger than 1 MB (photo aside)"
                    )
                else:
                    yield read_card(begin, kept)
                begin, kept = None, []
                continue
            if in_blob:
                if not line.strip() or line[0] in " \t" or not _PROPERTY.match(line):
                    continue
                in_blob = False
            if _BLOB.match(line):
                in_blob = True
                continue
            if too_big or not line.strip():
                continue
            size += len(line)
            if size > CARD_LIMIT or not whole:
                too_big, kept = True, []
                continue
            kept.append(line)
        if begin is not None:
            yield _no_end(begin)
        if not found:
            raise fail(self._label, "there is no BEGIN:VCARD in this file, so it is not a vCard file")


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


def _birthday(prop: _Property) -> Birthday | None:
    omit = prop.param("X-APPLE-OMIT-YEAR")
    year = int(omit) if omit.isdecimal() and len(omit) <= 4 else None
    return parse_birthday(unescape(prop.value), omit_year=year)


def read_card(begin: int, lines: Sequence[str]) -> Card | RowProblem:
    """The card whose BEGIN:VCARD is on line ``begin``, from the lines between its BEGIN and END
    (PHOTO and the like already left out); a :class:`RowProblem` if a line cannot be read."""
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
    labels = {prop.group: prop.value for prop in props if prop.name == "X-ABLABEL" and prop.group}
    names: list[str] = []
    full = company = title = nickname = ""
    phones: list[CardPhone] = []
    emails: list[CardEmail] = []
    addresses: list[CardAddress] = []
    birthday: Birthday | None = None
    unread_birthday = ""
    tags: list[str] = []
    notes: list[str] = []
    for prop in props:
        label = unescape(labels.get(prop.group, "")) if prop.group else ""
        if prop.name == "N" and not names:
            names = [_list_text(part) for part in split_escaped(prop.value, ";")]
        elif prop.name == "FN" and not full:
            full = one_line(unescape(prop.value))
        elif prop.name == "ORG" and not company:
            company = one_line(unescape(split_escaped(prop.value, ";")[0]))
        elif prop.name == "TITLE" and not title:
            title = one_line(unescape(prop.value))
        elif prop.name == "NICKNAME" and not nickname:
            nickname = _list_text(split_escaped(prop.value, ",")[0])
        elif prop.name == "TEL":
            phone = _phone(prop, label)
            if phone is not None:
                phones.append(phone)
        elif prop.name == "EMAIL":
            email = _email(prop, label)
            if email is not None:
                emails.append(email)
        elif prop.name == "ADR":
            address = _address(prop, label)
            if address is not None:
                addresses.append(address)
        elif prop.name == "BDAY" and birthday is None:
            birthday = _birthday(prop)
            if birthday is None and not no_birthday(prop.value):
                unread_birthday = one_line(unescape(prop.value))
        elif prop.name == "CATEGORIES":
            tags += [unescape(part) for part in split_escaped(prop.value, ",")]
        elif prop.name == "NOTE":
            notes.append(newlines(unescape(prop.value)))
    family, given, additional = (names + [""] * 3)[:3]
    first, middle, last = given, additional, family
    if not (first or last):
        if full and full != company:
            first, last = split_full_name(full)
            middle = ""
        elif middle:
            first, middle = middle, ""
        elif nickname:
            first = nickname
    if birthday is None and unread_birthday:
        notes.append(f"Birthday: {unread_birthday}")
    card = Card(
        row=begin,
        first_name=first,
        middle_name=middle,
        last_name=last,
        company=company,
        title=title,
        phones=tuple(dict.fromkeys(phones)),
        emails=tuple(dict.fromkeys(emails)),
        addresses=tuple(dict.fromkeys(addresses)),
        birthday=birthday,
        tags=unique(tags),
        notes="\n\n".join(note for note in notes if note),
    )
    if not (card.has_name or card.phones or card.emails):
        return RowProblem(begin, "no name, phone or email")
    return card
