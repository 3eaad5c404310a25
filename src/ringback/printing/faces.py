"""The two bundled typefaces and what layout needs of them: advance widths and vertical metrics.

Layout measures text here (widths read once from the font files with fontTools), so deciding a
size and the lines needs no PDF document; drawing then uses the same files through fpdf2.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent / "fonts"

#: Millimetres in a typographic point.
MM_PER_PT = 25.4 / 72


class Face(StrEnum):
    """A bundled typeface, by the name fpdf2 knows it under."""

    #: Caveat: the note, in a legible handwriting style.
    HAND = "caveat"
    #: Atkinson Hyperlegible: addresses, made to be read by people and sorting machines.
    PLAIN = "atkinson"


_FILES = {
    Face.HAND: FONTS / "caveat" / "Caveat-Regular.ttf",
    Face.PLAIN: FONTS / "atkinson-hyperlegible" / "AtkinsonHyperlegible-Regular.ttf",
}

#: What a card or label can hold besides the font's own characters: a line break and a space.
_LAYOUT = frozenset({"\n", " "})


@dataclass(frozen=True, slots=True)
class Metrics:
    """A typeface's advance widths (in ems) and its descent below the baseline (negative ems)."""

    face: Face
    path: Path
    widths: dict[int, float]
    descent: float

    def width(self, text: str, size: float) -> float:
        """The width of ``text`` in millimetres at ``size`` points (characters it lacks count 0)."""
        return em_width(self.face, text) * size * MM_PER_PT

    def missing(self, text: str) -> str:
        """The characters of ``text`` the typeface cannot draw, each once, in order of appearance."""
        widths = self.widths
        seen: dict[str, None] = {}
        for c in text:
            if c not in _LAYOUT and ord(c) not in widths:
                seen.setdefault(c)
        return "".join(seen)


@cache
def metrics(face: Face) -> Metrics:
    """The metrics of a bundled typeface, read from its file once per process."""
    path = _FILES[face]
    font = TTFont(path, lazy=True)
    per_em = float(font["head"].unitsPerEm)
    advances = font["hmtx"].metrics
    widths = {code: advances[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    descent = font["hhea"].descent / per_em
    font.close()
    return Metrics(face=face, path=path, widths=widths, descent=descent)


@lru_cache(maxsize=65_536)
def em_width(face: Face, text: str) -> float:
    """The width of ``text`` in ems: layout measures the same words at several sizes."""
    widths = metrics(face).widths
    return sum(widths.get(ord(c), 0.0) for c in text)


def shown(characters: str) -> str:
    """Characters a font lacks, written so a person can read them (control characters escaped)."""
    return ", ".join(repr(c) if not c.isprintable() else c for c in characters)
