"""What a value written in a contact file means: whether it says anything, a full name split
in two, a phone, e-mail or address label, a birthday in the many ways people write one, a
warmth (shared by the CSV and vCard readers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ringback.core import clock
from ringback.core.interchange.records import Birthday, Notice

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


#: Why a value of an e-mail cell (or property) with no address in it was left out.
NOT_AN_EMAIL = "not an email address (no @); left out"


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


#: Month names and their usual abbreviations (lower-case), to their number.
MONTHS = {
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


def _birthday(
    year: int | None, month: int, day: int, omit_year: int | None, any_year: bool = False
) -> Birthday | None:
    # A year outside the dates Ringback takes, or still to come, is no year of birth: keep the day.
    if year is not None and (
        year in (APPLE_NO_YEAR, omit_year)
        or (not any_year and not clock.EARLIEST_DAY.year <= year <= clock.now().year)
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


def parse_birthday(text: str, *, omit_year: int | None = None, any_year: bool = False) -> Birthday | None:
    """The birthday written in ``text``, or ``None`` if it is not one we can read.

    Reads ISO dates (``1985-04-12``, ``19850412``, with a time after it too), dates without a
    year (``--04-12``, ``--0412``), ``1985/04/12``, ``12.04.1985`` (day first), ``4/12/1985``
    (month first, unless the first number cannot be a month), ``12 April 1985`` and
    ``April 12, 1985``. Apple's year 1604 (or ``omit_year``, its X-APPLE-OMIT-YEAR) means no
    year; Outlook's ``0/0/00`` is no birthday. Two-digit years are in the last hundred years. A
    year outside the dates Ringback takes is dropped (a file's placeholder), unless ``any_year``:
    then it is kept, for the caller to refuse (a year typed by hand is a typo to point out).
    """
    value = one_line(text).lower()
    if not value:
        return None
    found = _NO_YEAR.match(value)
    if found:
        return _birthday(None, int(found.group(1)), int(found.group(2)), omit_year, any_year)
    found = _ISO.match(value) or _YMD.match(value)
    if found:
        return _birthday(int(found.group(1)), int(found.group(2)), int(found.group(3)), omit_year, any_year)
    found = _NUMERIC.match(value)
    if found:
        first, separator, second, year_text = found.groups()
        year = _full_year(year_text) if year_text else None
        month, day = int(first), int(second)
        if separator == "." or month > 12:
            month, day = day, month
        return _birthday(year, month, day, omit_year, any_year)
    found = _DAY_MONTH.match(value)
    if found and found.group(2) in MONTHS:
        year = int(found.group(3)) if found.group(3) else None
        return _birthday(year, MONTHS[found.group(2)], int(found.group(1)), omit_year, any_year)
    found = _MONTH_DAY.match(value)
    if found and found.group(1) in MONTHS:
        year = int(found.group(3)) if found.group(3) else None
        return _birthday(year, MONTHS[found.group(1)], int(found.group(2)), omit_year, any_year)
    return None


def read_birthdays(
    values: Iterable[tuple[str, int | None]],
) -> tuple[Birthday | None, list[str], list[Notice]]:
    """The birthday among ``values`` (each a text and, for Apple's cards, the year that means "no
    year"): the first that can be read. Nothing is dropped unsaid: each value that cannot be read,
    or is a second birthday that differs, becomes a line for the notes (``Birthday: …``) with a
    notice, and a year that cannot be a year of birth (before 1900, or to come) is left out with a
    notice. Values that say "no birthday" (Outlook's ``0/0/00``) are passed over."""
    kept: Birthday | None = None
    notes: list[str] = []
    notices: list[Notice] = []
    for text, omit_year in values:
        if no_birthday(text):
            continue
        found = parse_birthday(text, omit_year=omit_year)
        if found is not None and kept is None:
            kept = found
            if found.year is None:
                notices += _year_left_out(text, omit_year)
        elif found is not None and kept is not None and _same_day(kept, found):
            kept = kept if kept.year is not None else found  # the same day: with a year, if one says it
        else:
            written = one_line(text)
            notes.append(f"Birthday: {written}")
            why = (
                "not a date"
                if found is None or kept is None
                else f"a second birthday ({kept.words()} is kept)"
            )
            notices.append(Notice.of("birthday", written, f"{why}; kept in the notes"))
    return kept, notes, notices


def _same_day(one: Birthday, other: Birthday) -> bool:
    """Whether two birthdays are the same day (a year only one of them gives does not count)."""
    same_year = one.year is None or other.year is None or one.year == other.year
    return same_year and (one.month, one.day) == (other.month, other.day)


def _year_left_out(text: str, omit_year: int | None) -> list[Notice]:
    """A notice if ``text`` (read as a birthday without a year) gives a year that cannot be a year
    of birth (Apple's "no year" years are no year at all)."""
    written = parse_birthday(text, omit_year=omit_year, any_year=True)
    if written is None or written.year is None:
        return []
    reason = f"{written.year} cannot be the year they were born: the day is kept, the year left out"
    return [Notice.of("birthday", one_line(text), reason)]


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


#: The warmths a contact can have, coldest first (the contacts app's ``Warmth`` values).
WARMTHS = ("stranger", "met-once", "acquainted", "customer")
_NOT_LETTERS = re.compile(r"[\W_]+")
_WARMTH_WORDS = {
    spelled: warmth
    for warmth in WARMTHS
    for spelled in (warmth.replace("-", ""), warmth.replace("-", "") + "s")
}


def read_warmth(text: str) -> str | None:
    """The warmth ``text`` names (one of :data:`WARMTHS`), ignoring case, spaces, dashes and a
    plural ``s`` ("Met once", "MET_ONCE", "Customers"); ``None`` if it names none."""
    return _WARMTH_WORDS.get(_NOT_LETTERS.sub("", text.casefold()))


def warmer(warmth: str, than: str) -> bool:
    """Whether ``warmth`` is warmer than ``than`` (both among :data:`WARMTHS`)."""
    return WARMTHS.index(warmth) > WARMTHS.index(than)
