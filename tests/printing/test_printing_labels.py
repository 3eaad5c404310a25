"""Address labels rendered to PDF and read back: each address on its own label, where the sheet's
published geometry puts it (within 0.5 mm), moved by the calibration offset; long lines shrink,
then wrap; an address too long even wrapped is refused naming the contact.

The geometry below is Avery's published one, written out here rather than read from the code,
so that a wrong number in the code fails these tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber
import pytest
from pypdf import PdfReader

from ringback.core.errors import InvalidInput
from ringback.printing.fitting import DoesNotFit
from ringback.printing.labels import (
    SHEETS,
    Offset,
    SheetName,
    label_check,
    label_layout,
    labels_pdf,
    sheet_name,
)
from ringback.printing.pieces import Label

MM = 72 / 25.4
IN = 25.4


@dataclass(frozen=True)
class Published:
    """A sheet as its maker publishes it, in millimetres."""

    page: tuple[float, float]
    columns: int
    rows: int
    label: tuple[float, float]
    top: float
    side: float
    pitch: tuple[float, float]


AVERY_5160 = Published(
    page=(8.5 * IN, 11 * IN),
    columns=3,
    rows=10,
    label=(2.625 * IN, 1 * IN),
    top=0.5 * IN,
    side=0.1875 * IN,
    pitch=(2.75 * IN, 1 * IN),
)
AVERY_L7163 = Published(
    page=(210, 297), columns=2, rows=7, label=(99.1, 38.1), top=15.15, side=4.65, pitch=(101.6, 38.1)
)
PUBLISHED = {SheetName.AVERY_5160: AVERY_5160, SheetName.AVERY_L7163: AVERY_L7163}

PEOPLE = [
    ("Mary Smith", "12 Main Street", "Springfield, IL 62701"),
    ("Zoë Ørsted", "Nørregade 7", "1165 København K", "DENMARK"),
    ("Iñigo Muñoz", "Calle Mayor 3", "28013 Madrid", "SPAIN"),
    ("Jürgen Weiß", "Hauptstraße 5", "10115 Berlin", "GERMANY"),
]


def labels(count: int) -> list[Label]:
    return [Label(contact=PEOPLE[n % len(PEOPLE)][0], lines=PEOPLE[n % len(PEOPLE)]) for n in range(count)]


def label_rect(sheet: Published, index: int, offset: Offset) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the ``index``-th label of a page, in millimetres."""
    row, column = divmod(index, sheet.columns)
    left = sheet.side + column * sheet.pitch[0] + offset.x
    top = sheet.top + row * sheet.pitch[1] + offset.y
    return left, top, left + sheet.label[0], top + sheet.label[1]


def test_the_geometry_in_the_code_is_the_published_one():
    for name, published in PUBLISHED.items():
        sheet = SHEETS[name]
        assert (sheet.page_width, sheet.page_height) == pytest.approx(published.page)
        assert (sheet.columns, sheet.rows) == (published.columns, published.rows)
        assert (sheet.label_width, sheet.label_height) == pytest.approx(published.label)
        assert (sheet.top_margin, sheet.left_margin) == pytest.approx((published.top, published.side))
        assert (sheet.horizontal_pitch, sheet.vertical_pitch) == pytest.approx(published.pitch)
        # The labels fill the page symmetrically: the margins left over on the far sides match.
        right = (
            published.page[0]
            - published.side
            - (published.columns - 1) * published.pitch[0]
            - published.label[0]
        )
        bottom = (
            published.page[1] - published.top - (published.rows - 1) * published.pitch[1] - published.label[1]
        )
        assert right == pytest.approx(published.side, abs=0.01)
        assert bottom == pytest.approx(published.top, abs=0.01)


@pytest.mark.parametrize("name", list(SheetName))
@pytest.mark.parametrize("offset", [Offset(), Offset(2.5, -1.5), Offset(-5, 5)])
def test_each_address_is_on_its_own_label_where_the_sheet_puts_it(name, offset):
    sheet = PUBLISHED[name]
    per_page = sheet.columns * sheet.rows
    count = per_page + 3  # a full sheet and three labels on the next
    pdf = labels_pdf(labels(count), sheet=name, offset=offset)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page_number, page in enumerate(document.pages):
            assert (page.width / MM, page.height / MM) == pytest.approx(sheet.page, abs=0.2)
            on_page = min(per_page, count - page_number * per_page)
            chars = [c for c in page.chars if c["text"].strip()]
            placed = 0
            for index in range(on_page):
                person = PEOPLE[(page_number * per_page + index) % len(PEOPLE)]
                left, top, right, bottom = label_rect(sheet, index, offset)
                mine = [
                    c
                    for c in chars
                    if left <= c["x0"] / MM
                    and c["x1"] / MM <= right
                    and top <= c["top"] / MM
                    and c["bottom"] / MM <= bottom
                ]
                placed += len(mine)
                box = (
                    max(left * MM, 0),
                    max(top * MM, 0),
                    min(right * MM, page.width),
                    min(bottom * MM, page.height),
                )
                text = page.crop(box).extract_text()
                assert text.split("\n") == list(person), (index, text)
                # The text starts a fixed inset from the label's left edge, and sits in its middle.
                inset = SHEETS[name].inset_x
                assert min(c["x0"] for c in mine) / MM == pytest.approx(left + inset, abs=0.5)
                middle = (min(c["top"] for c in mine) + max(c["bottom"] for c in mine)) / 2 / MM
                assert middle == pytest.approx((top + bottom) / 2, abs=0.5)
            assert placed == len(chars), "every character is on a label"


def test_the_offset_moves_every_label_by_exactly_that_much():
    plain = labels_pdf(labels(6), sheet=SheetName.AVERY_5160)
    moved = labels_pdf(labels(6), sheet=SheetName.AVERY_5160, offset=Offset(1.2, -0.7))
    with pdfplumber.open(io.BytesIO(plain)) as a, pdfplumber.open(io.BytesIO(moved)) as b:
        for before, after in zip(a.pages[0].chars, b.pages[0].chars, strict=True):
            assert after["text"] == before["text"]
            assert (after["x0"] - before["x0"]) / MM == pytest.approx(1.2, abs=0.01)
            assert (after["top"] - before["top"]) / MM == pytest.approx(-0.7, abs=0.01)


@pytest.mark.parametrize("value", [5.1, -6, 99])
def test_an_offset_beyond_5_mm_is_refused_naming_its_axis(value):
    with pytest.raises(InvalidInput, match="out of range: use -5 to 5 mm") as refused:
        Offset(0, value)
    assert refused.value.field == "offset_y"


def test_a_long_line_shrinks_to_fit_before_it_wraps():
    address = (
        "Dr. Maximiliane Wolkenstein-Habsburg",
        "1234 Extraordinarily Long Boulevard",
        "Springfield, IL 62701",
    )
    sheet = SHEETS[SheetName.AVERY_5160]
    fitted = label_layout(Label("Max", address), sheet=sheet, box=sheet.text_box(0, Offset()))
    assert not fitted.wrapped and fitted.lines == address
    assert sheet.style.smallest <= fitted.size < sheet.style.largest


def test_a_300_character_street_wraps_on_l7163_and_is_refused_on_5160():
    street = ("Apartment 4B, the long building behind the old mill " * 6)[:300].strip()
    address = ("Mary Smith", street, "Springfield, IL 62701")
    label_check(Label("Mary Smith", address), sheet=SheetName.AVERY_L7163)
    pdf = labels_pdf([Label("Mary Smith", address)], sheet=SheetName.AVERY_L7163)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        left, top, right, bottom = label_rect(AVERY_L7163, 0, Offset())
        chars = [c for c in page.chars if c["text"].strip()]
        assert all(
            left <= c["x0"] / MM
            and c["x1"] / MM <= right
            and top <= c["top"] / MM
            and c["bottom"] / MM <= bottom
            for c in chars
        )
        assert page.extract_text().split() == " ".join(address).split()  # all of it, wrapped
    with pytest.raises(DoesNotFit) as refused:
        label_check(Label("Mary Smith", address), sheet=SheetName.AVERY_5160)
    assert refused.value.message == (
        "Mary Smith's address is too long for an Avery 5160 label, even wrapped at 7 pt: "
        "shorten it, or choose larger labels"
    )
    with pytest.raises(DoesNotFit, match="Mary Smith's address is too long"):
        labels_pdf([Label("Ann", ("Ann",)), Label("Mary Smith", address)], sheet=SheetName.AVERY_5160)


def test_an_empty_address_and_no_labels_are_refused():
    with pytest.raises(DoesNotFit, match="Ann Lee has no address to print on a label"):
        label_check(Label("Ann Lee", ("", "  ")), sheet=SheetName.AVERY_5160)
    with pytest.raises(InvalidInput, match="no labels to print"):
        labels_pdf([], sheet=SheetName.AVERY_5160)
    with pytest.raises(InvalidInput, match="'avery' is not a label sheet: use one of 5160, l7163"):
        sheet_name("avery")
