"""Address labels on standard sheets: Avery 5160 (US Letter) and Avery L7163 (A4).

Each sheet's published geometry is data here (label size, the margins to the first label, the
pitch from one label to the next); labels fill a sheet row by row, left to right. Printers and
published templates disagree by about a millimetre, so a calibration offset (x and y, at most
±5 mm) moves every label. An address is set as large as it fits on one line per part, then
wrapped; one too long even wrapped at the smallest size is refused with
:class:`~ringback.printing.fitting.DoesNotFit`, naming the contact. Never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ringback.core.errors import InvalidInput
from ringback.printing.document import draw_text, finish, new_document
from ringback.printing.faces import Face, metrics
from ringback.printing.fitting import Box, DoesNotFit, Fitted, Style, fit, paragraphs, unprintable
from ringback.printing.pieces import Label

INCH = 25.4

#: The largest calibration offset, in millimetres, either way.
OFFSET_LIMIT = 5.0


class SheetName(StrEnum):
    AVERY_5160 = "5160"
    AVERY_L7163 = "l7163"


@dataclass(frozen=True, slots=True)
class LabelSheet:
    """A sheet of labels as its maker publishes it (millimetres)."""

    name: SheetName
    title: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    #: From the page's top edge to the first row, and from its left edge to the first column.
    top_margin: float
    left_margin: float
    #: From one label's left (top) edge to the next one's.
    horizontal_pitch: float
    vertical_pitch: float
    #: How far the text keeps from the label's edges: left and right, top and bottom.
    inset_x: float
    inset_y: float
    style: Style

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def label_box(self, index: int, offset: Offset) -> Box:
        """The ``index``-th label of a sheet (0 is the top left), moved by ``offset``."""
        row, column = divmod(index % self.per_page, self.columns)
        return Box(
            self.left_margin + column * self.horizontal_pitch + offset.x,
            self.top_margin + row * self.vertical_pitch + offset.y,
            self.label_width,
            self.label_height,
        )

    def text_box(self, index: int, offset: Offset) -> Box:
        """Where the text of the ``index``-th label goes."""
        label = self.label_box(index, offset)
        return Box(
            label.x + self.inset_x,
            label.y + self.inset_y,
            label.width - 2 * self.inset_x,
            label.height - 2 * self.inset_y,
        )


@dataclass(frozen=True, slots=True)
class Offset:
    """The calibration offset: millimetres to the right (x) and down (y), each within ±5."""

    x: float = 0.0
    y: float = 0.0

    def __post_init__(self) -> None:
        for axis, value in (("x", self.x), ("y", self.y)):
            if not -OFFSET_LIMIT <= value <= OFFSET_LIMIT:
                raise InvalidInput(
                    f"the label offset {axis} of {value:g} mm is out of range: "
                    f"use -{OFFSET_LIMIT:g} to {OFFSET_LIMIT:g} mm",
                    field=f"offset_{axis}",
                )


SHEETS: dict[SheetName, LabelSheet] = {
    # Avery 5160 / 8160: 30 labels of 2⅝ × 1 in on US Letter, 3 across, 10 down; top margin ½ in,
    # side margin 3/16 in, pitch 2¾ in across and 1 in down.
    SheetName.AVERY_5160: LabelSheet(
        name=SheetName.AVERY_5160,
        title="Avery 5160",
        page_width=8.5 * INCH,
        page_height=11 * INCH,
        columns=3,
        rows=10,
        label_width=2.625 * INCH,
        label_height=1 * INCH,
        top_margin=0.5 * INCH,
        left_margin=0.1875 * INCH,
        horizontal_pitch=2.75 * INCH,
        vertical_pitch=1 * INCH,
        inset_x=4.0,
        inset_y=1.8,
        style=Style(metrics(Face.PLAIN), largest=10, smallest=7, leading=1.15, centred=True),
    ),
    # Avery L7163: 14 labels of 99.1 × 38.1 mm on A4, 2 across, 7 down; top margin 15.15 mm,
    # side margin 4.65 mm, pitch 101.6 mm across and 38.1 mm down.
    SheetName.AVERY_L7163: LabelSheet(
        name=SheetName.AVERY_L7163,
        title="Avery L7163",
        page_width=210.0,
        page_height=297.0,
        columns=2,
        rows=7,
        label_width=99.1,
        label_height=38.1,
        top_margin=15.15,
        left_margin=4.65,
        horizontal_pitch=101.6,
        vertical_pitch=38.1,
        inset_x=6.0,
        inset_y=2.5,
        style=Style(metrics(Face.PLAIN), largest=12, smallest=8, leading=1.15, centred=True),
    ),
}


def sheet_name(value: str) -> SheetName:
    """The label sheet called ``value`` (5160, l7163), or :class:`InvalidInput`."""
    try:
        return SheetName(value.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not a label sheet: use one of {', '.join(s.value for s in SheetName)}",
            field="label_sheet",
        ) from None


def label_layout(label: Label, *, sheet: LabelSheet, box: Box) -> Fitted:
    """An address laid out in a label's text ``box``; :class:`DoesNotFit` naming the contact
    when it has no line, a character the font lacks, or is too long even wrapped."""
    contact = label.contact
    parts = [p for line in label.lines for p in paragraphs(line)]
    if not parts:
        raise DoesNotFit(f"{contact} has no address to print on a label", field="address")
    missing = unprintable(parts, sheet.style.metrics)
    if missing:
        raise DoesNotFit(
            f"{contact}'s address has characters the label font cannot write ({missing})", field="address"
        )
    fitted = fit(parts, box, sheet.style, wrap_first=False)
    if fitted is None:
        raise DoesNotFit(
            f"{contact}'s address is too long for an {sheet.title} label, even wrapped at "
            f"{sheet.style.smallest:g} pt: shorten it, or choose larger labels",
            field="address",
        )
    return fitted


def label_check(label: Label, *, sheet: SheetName) -> None:
    """Raise :class:`DoesNotFit` (naming the contact) unless the address fits a label of ``sheet``."""
    spec = SHEETS[sheet]
    label_layout(label, sheet=spec, box=spec.text_box(0, Offset()))


def labels_pdf(
    labels: Sequence[Label],
    *,
    sheet: SheetName,
    offset: Offset | None = None,
    created: datetime | None = None,
    title: str = "Address labels",
) -> bytes:
    """A PDF of label sheets: each of ``labels`` on the next label, row by row, every label moved
    by the calibration ``offset``.

    Every label is laid out before anything is drawn: the first that does not fit raises
    :class:`DoesNotFit` (naming its contact) and no PDF is made. An empty list is refused.
    """
    if not labels:
        raise InvalidInput("there are no labels to print")
    spec = SHEETS[sheet]
    shift = offset or Offset()
    layouts = [label_layout(label, sheet=spec, box=spec.text_box(n, shift)) for n, label in enumerate(labels)]
    pdf = new_document(width=spec.page_width, height=spec.page_height, title=title, created=created)
    for n, layout in enumerate(layouts):
        if n % spec.per_page == 0:
            pdf.add_page()
        draw_text(pdf, layout, Face.PLAIN)
    return finish(pdf)
