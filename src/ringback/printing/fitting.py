"""Fitting text into a box: the largest size that fits, down to a minimum; then wrapped; else refused.

Nothing is ever cut: text that does not fit at the smallest allowed size raises
:class:`DoesNotFit` with a message naming whose card or label it is and what to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ringback.core.errors import InvalidInput
from ringback.printing.faces import MM_PER_PT, Metrics, shown

#: Sizes are tried from the largest down, this many points apart.
SIZE_STEP = 0.5

_SPACES = re.compile(r"[ \t\u00a0]+")


class DoesNotFit(InvalidInput):
    """Text that can't be printed where it must go: too long even at the smallest size, or with
    characters the font has not. The message names the contact (or the seller) and the fix."""


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the page, in millimetres from the top-left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True, slots=True)
class Fitted:
    """Text laid out in a box: its size, its lines and where each line's baseline is."""

    size: float
    lines: tuple[str, ...]
    #: The x of every line's left end and the y of each baseline, in millimetres.
    x: float
    baselines: tuple[float, ...]
    wrapped: bool


@dataclass(frozen=True, slots=True)
class Style:
    """How a block of text is set: its typeface, its sizes and its spacing."""

    metrics: Metrics
    #: The size tried first and the smallest allowed, in points.
    largest: float
    smallest: float
    #: Distance between baselines, in ems.
    leading: float = 1.2
    #: Extra space between paragraphs, in ems.
    paragraph_gap: float = 0.0
    #: Centre the block vertically in its box (else it starts at the top).
    centred: bool = False


def paragraphs(text: str) -> list[str]:
    """``text`` as paragraphs, separated by blank lines; a single line end inside a paragraph is
    kept (as ``\n``: a line of its own); runs of spaces and tabs made one space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = []
    for block in re.split(r"\n[ \t\u00a0]*\n", text):
        lines = [line for line in (_SPACES.sub(" ", raw).strip() for raw in block.split("\n")) if line]
        if lines:
            found.append("\n".join(lines))
    return found


def unprintable(parts: Sequence[str], metrics: Metrics) -> str:
    """The characters of ``parts`` the typeface lacks, for an error message ("" when none)."""
    return shown(metrics.missing("\n".join(parts)))


def _sizes(style: Style) -> Iterator[float]:
    size = style.largest
    while size >= style.smallest - 1e-9:
        yield round(size, 2)
        size -= SIZE_STEP


def wrap(paragraph: str, *, width: float, size: float, metrics: Metrics) -> list[str]:
    """``paragraph`` broken into lines no wider than ``width`` mm at ``size`` pt, greedily at
    spaces; a word longer than a whole line is broken between its characters."""
    space = metrics.width(" ", size)
    lines: list[str] = []
    line, used = "", 0.0
    for word in paragraph.split(" "):
        w = metrics.width(word, size)
        if line and used + space + w <= width:
            line, used = f"{line} {word}", used + space + w
            continue
        if line:
            lines.append(line)
        if w <= width:
            line, used = word, w
            continue
        pieces = _break_word(word, width=width, size=size, metrics=metrics)
        lines.extend(pieces[:-1])
        line, used = pieces[-1], metrics.width(pieces[-1], size)
    if line:
        lines.append(line)
    return lines


def _break_word(word: str, *, width: float, size: float, metrics: Metrics) -> list[str]:
    pieces: list[str] = []
    piece, used = "", 0.0
    for c in word:
        w = metrics.width(c, size)
        if piece and used + w > width:
            pieces.append(piece)
            piece, used = "", 0.0
        piece, used = piece + c, used + w
    pieces.append(piece)
    return pieces


def _layout(parts: Sequence[str], box: Box, style: Style, size: float, *, wrapping: bool) -> Fitted | None:
    """The block at ``size``, or None when it overflows the box (too wide without wrapping, or
    too tall)."""
    metrics = style.metrics
    lines: list[str] = []
    starts: list[int] = []
    for part in parts:
        starts.append(len(lines))
        for line in part.split("\n"):
            if wrapping:
                lines.extend(wrap(line, width=box.width, size=size, metrics=metrics))
            elif metrics.width(line, size) > box.width:
                return None
            else:
                lines.append(line)
    em = size * MM_PER_PT
    step = em * style.leading
    gap = em * style.paragraph_gap
    gaps = max(len(parts) - 1, 0)
    height = len(lines) * step + gaps * gap
    if height > box.height + 1e-6:
        return None
    top = box.y + (box.height - height) / 2 if style.centred else box.y
    # Each line's em box (from the descent to an em above it) sits in the middle of its step.
    below = -style.metrics.descent * em
    baselines = []
    extra = 0.0
    paragraph_starts = set(starts[1:])
    for n in range(len(lines)):
        if n in paragraph_starts:
            extra += gap
        baselines.append(top + extra + n * step + (step - em) / 2 + em - below)
    return Fitted(size=size, lines=tuple(lines), x=box.x, baselines=tuple(baselines), wrapped=wrapping)


def fit(parts: Sequence[str], box: Box, style: Style, *, wrap_first: bool) -> Fitted | None:
    """The largest size at which ``parts`` (one paragraph each) fits ``box``, or None.

    With ``wrap_first`` (a note) the text wraps at every size. Without it (an address) each part
    stays on one line while shrinking to the smallest size, and only then is wrapped, from the
    largest size again.
    """
    sizes = list(_sizes(style))
    passes = (True,) if wrap_first else (False, True)
    for wrapping in passes:
        found = _largest(parts, box, style, sizes, wrapping=wrapping)
        if found is not None:
            return found
    return None


def _largest(
    parts: Sequence[str], box: Box, style: Style, sizes: Sequence[float], *, wrapping: bool
) -> Fitted | None:
    """The layout at the largest of ``sizes`` (largest first) that fits, by bisection: text set
    smaller takes no more room. (Were a size skipped where that does not hold, the text would be
    set a little smaller than it could be, never cut.)"""
    first = _layout(parts, box, style, sizes[0], wrapping=wrapping)
    if first is not None:
        return first
    best: Fitted | None = None
    low, high = 1, len(sizes) - 1  # sizes[low:high + 1] are untried
    while low <= high:
        middle = (low + high) // 2
        found = _layout(parts, box, style, sizes[middle], wrapping=wrapping)
        if found is not None:
            best, high = found, middle - 1
        else:
            low = middle + 1
    return best


def longest_fitting(parts: Sequence[str], box: Box, style: Style) -> int:
    """How many of the words of ``parts`` would fit at the smallest size (for an error saying
    how much to cut)."""
    low, high = 0, word_count(parts)
    while low < high:
        middle = (low + high + 1) // 2
        kept = _first_words(parts, middle)
        if _layout(kept, box, style, style.smallest, wrapping=True) is not None:
            low = middle
        else:
            high = middle - 1
    return low


def _first_words(parts: Sequence[str], count: int) -> list[str]:
    kept: list[str] = []
    for part in parts:
        words = part.split()
        if count <= 0:
            break
        kept.append(" ".join(words[:count]))
        count -= len(words)
    return kept


def word_count(parts: Sequence[str]) -> int:
    """The number of words in ``parts``."""
    return sum(len(part.split()) for part in parts)
