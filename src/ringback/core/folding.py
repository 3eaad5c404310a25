"""Folding text for search, so that accents, case and spacing never decide a match.

Search compares folded text with folded text: "nunez", "NÚÑEZ" and "Núñez" all fold to
``nunez``. The same function folds the words typed and the stored copies of names, companies and
email addresses, so SQLite and PostgreSQL match alike whatever their collation, locale or
extensions. What a contact is called is kept as typed; only the search columns are folded.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]

#: Letters that are a plain letter with a stroke or a ligature but have no decomposition, read
#: as that letter (as PostgreSQL's ``unaccent`` reads them). Applied after casefolding.
_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ŧ": "t",
        "ı": "i",
        "ƚ": "l",
        "ƀ": "b",
        "ɨ": "i",
        "ʉ": "u",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)


def _bare(text: str) -> str:
    """``text`` decomposed (compatibility forms too), without its combining marks."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """``text`` as search compares it: compatibility forms read as plain ones (fullwidth
    letters, ligatures), accents and other combining marks removed, case folded (``ß`` is
    ``ss``), a few letters with a stroke read as the plain letter (``ø`` is ``o``), and runs of
    white space made one space, trimmed. Folding twice gives the same as once."""
    if text.isascii():
        return " ".join(text.lower().split())
    # Decomposing can give capitals (ℌ is H) and casefolding accents (ǰ): decompose twice.
    plain = _bare(_bare(text).casefold().translate(_LETTERS))
    # Composed again: Hangul syllables stay one character each (no marks are left to compose).
    return unicodedata.normalize("NFC", " ".join(plain.split()))
