"""Cards, one per page: a 4×6 in postcard, an A6 postcard, or a folded A2 note card.

**Postcards** (4×6 in, the US size, and A6, 148×105 mm, the European one) print the *address
side*: the note on the left half in the handwriting font, the offer under it; on the right half
the return address at the top left, a stamp box at the top right and the recipient's address
below them, clear of the bottom 16 mm where the post office prints its barcode. One side, one
page per card, no duplex to line up: the picture side is the card stock's own. The address is on
the card, so postcards need no labels.

**Folded note cards** (A2: a 8½×5½ in sheet folded to 4¼×5½ in, side fold) print the *inside*:
the sheet lies landscape, the note on its right half. Folded along the middle with the printed
side in, the note is on the inside right panel, upright when the card is opened like a book; the
front stays blank (or is the stock's own). The card goes in an envelope: its address is printed
on a label (:mod:`ringback.printing.labels`).

A note is set as large as it fits (down to a minimum size) and wraps; one too long even then is
refused with :class:`~ringback.printing.fitting.DoesNotFit`, naming the contact. Never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fpdf import FPDF

from ringback.core.errors import InvalidInput
from ringback.printing.document import draw_text, finish, new_document
from ringback.printing.faces import Face, metrics
from ringback.printing.fitting import (
    Box,
    DoesNotFit,
    Fitted,
    Style,
    fit,
    longest_fitting,
    paragraphs,
    unprintable,
    word_count,
)
from ringback.printing.pieces import Card

INCH = 25.4


class CardFormat(StrEnum):
    POSTCARD = "postcard"
    A6 = "a6"
    FOLDED = "folded"


@dataclass(frozen=True, slots=True)
class CardGeometry:
    """Where everything goes on one format's page (millimetres from the top-left corner)."""

    format: CardFormat
    title: str
    width: float
    height: float
    note: Box
    note_style: Style
    #: The recipient's address, the return address and the stamp box (postcards only).
    address: Box | None = None
    sender: Box | None = None
    stamp: Box | None = None
    #: The line between the note and the address half (postcards only).
    divider: float | None = None

    @property
    def envelope(self) -> bool:
        """Whether the card goes in an envelope (its address on a label, not on the card)."""
        return self.address is None


#: The page's edge left blank (home printers can't print to the edge).
MARGIN = 6.0
#: The strip at the bottom of a postcard's address side kept clear for the postal barcode (5/8 in).
BARCODE_CLEAR = 16.0
STAMP = (22.0, 25.0)
#: The note's colour: a dark blue, like a pen's ink.
INK = (28, 36, 92)

ADDRESS_STYLE = Style(metrics(Face.PLAIN), largest=11, smallest=8, leading=1.2, centred=True)
SENDER_STYLE = Style(metrics(Face.PLAIN), largest=7.5, smallest=6, leading=1.15)


def _postcard(card_format: CardFormat, title: str, width: float, height: float) -> CardGeometry:
    middle = width / 2
    gutter = 4.0
    right = middle + gutter
    stamp = Box(width - MARGIN - STAMP[0], MARGIN, *STAMP)
    top = max(height * 0.4, stamp.bottom + 4)
    return CardGeometry(
        format=card_format,
        title=title,
        width=width,
        height=height,
        note=Box(MARGIN, MARGIN, middle - gutter - MARGIN, height - 2 * MARGIN),
        note_style=Style(metrics(Face.HAND), largest=16, smallest=11, leading=1.15, paragraph_gap=0.35),
        address=Box(right + 2, top, width - MARGIN - right - 2, height - BARCODE_CLEAR - top),
        sender=Box(right, MARGIN, stamp.x - 3 - right, stamp.height),
        stamp=stamp,
        divider=middle,
    )


def _folded() -> CardGeometry:
    width, height = 8.5 * INCH, 5.5 * INCH
    panel = width / 2
    inset = 12.0
    return CardGeometry(
        format=CardFormat.FOLDED,
        title="folded note card (A2)",
        width=width,
        height=height,
        note=Box(panel + inset, 14, panel - 2 * inset, height - 28),
        note_style=Style(metrics(Face.HAND), largest=20, smallest=12, leading=1.15, paragraph_gap=0.35),
    )


GEOMETRIES: dict[CardFormat, CardGeometry] = {
    CardFormat.POSTCARD: _postcard(CardFormat.POSTCARD, "4×6 in postcard", 6 * INCH, 4 * INCH),
    CardFormat.A6: _postcard(CardFormat.A6, "A6 postcard", 148.0, 105.0),
    CardFormat.FOLDED: _folded(),
}


@dataclass(frozen=True, slots=True)
class CardLayout:
    """One card laid out: the note (with the offer line), the recipient's and the return address."""

    note: Fitted | None
    recipient: Fitted | None = None
    sender: Fitted | None = None


def card_format(value: str) -> CardFormat:
    """The card format called ``value`` (postcard, a6, folded), or :class:`InvalidInput`."""
    try:
        return CardFormat(value.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not a card format: use one of {', '.join(f.value for f in CardFormat)}",
            field="card_format",
        ) from None


def _note(card: Card, geometry: CardGeometry) -> Fitted | None:
    parts = paragraphs(card.note)
    if card.offer is not None and card.offer.line:
        parts.append(card.offer.line)
    if not parts:
        return None
    style = geometry.note_style
    missing = unprintable(parts, style.metrics)
    if missing:
        raise DoesNotFit(
            f"{card.contact}'s note has characters the card's handwriting font cannot write "
            f"({missing}): change them in the message",
            field="note",
        )
    fitted = fit(parts, geometry.note, style, wrap_first=True)
    if fitted is None:
        kept = longest_fitting(parts, geometry.note, style)
        raise DoesNotFit(
            f"{card.contact}'s note is too long for a {geometry.title}, even at {style.smallest:g} pt: "
            f"{word_count(parts)} words, about {kept} fit. Shorten it, or choose a larger card",
            field="note",
        )
    return fitted


def _address(lines: Sequence[str], box: Box, style: Style, *, whose: str, where: str, field: str) -> Fitted:
    parts = [p for line in lines for p in paragraphs(line)]
    missing = unprintable(parts, style.metrics)
    if missing:
        raise DoesNotFit(f"{whose} has characters the address font cannot write ({missing})", field=field)
    fitted = fit(parts, box, style, wrap_first=False)
    if fitted is None:
        raise DoesNotFit(
            f"{whose} is too long for {where}, even wrapped at {style.smallest:g} pt: shorten it",
            field=field,
        )
    return fitted


def card_layout(card: Card, card_format: CardFormat) -> CardLayout:
    """Lay ``card`` out in ``card_format``; :class:`DoesNotFit` (naming the contact) when its note
    or an address can't be printed whole, or a postcard has no recipient."""
    geometry = GEOMETRIES[card_format]
    note = _note(card, geometry)
    if geometry.address is None or geometry.sender is None:
        return CardLayout(note=note)
    if not any(line.strip() for line in card.recipient):
        raise DoesNotFit(f"{card.contact} has no address to print on the {geometry.title}", field="address")
    recipient = _address(
        card.recipient,
        geometry.address,
        ADDRESS_STYLE,
        whose=f"{card.contact}'s address",
        where=f"a {geometry.title}",
        field="address",
    )
    sender = None
    if any(line.strip() for line in card.sender):
        sender = _address(
            card.sender,
            geometry.sender,
            SENDER_STYLE,
            whose=f"Your return address (on {card.contact}'s card)",
            where=f"a {geometry.title}; shorten it in Settings",
            field="sender",
        )
    return CardLayout(note=note, recipient=recipient, sender=sender)


def sender_check(lines: Sequence[str], card_format: CardFormat) -> None:
    """Raise :class:`DoesNotFit` unless the return address ``lines`` fit the card format's place
    for them (a folded card has none: it goes in an envelope)."""
    geometry = GEOMETRIES[card_format]
    if geometry.sender is None or not any(line.strip() for line in lines):
        return
    _address(
        lines,
        geometry.sender,
        SENDER_STYLE,
        whose="Your return address",
        where=f"a {geometry.title}; shorten it in Settings",
        field="sender",
    )


def _draw_furniture(pdf: FPDF, geometry: CardGeometry) -> None:
    """The divider between the note and the address, and the stamp box (postcards)."""
    pdf.set_draw_color(170, 170, 170)
    pdf.set_line_width(0.2)
    if geometry.divider is not None:
        pdf.line(geometry.divider, MARGIN + 4, geometry.divider, geometry.height - MARGIN - 4)
    if geometry.stamp is not None:
        stamp = geometry.stamp
        pdf.set_dash_pattern(dash=1.2, gap=1.2)
        pdf.rect(stamp.x, stamp.y, stamp.width, stamp.height)
        pdf.set_dash_pattern()


def cards_pdf(
    cards: Sequence[Card], *, card_format: CardFormat, created: datetime | None = None, title: str = "Cards"
) -> bytes:
    """A PDF with one page per card of ``cards``, in ``card_format``.

    Every card is laid out before anything is drawn: the first that can't be printed whole
    raises :class:`~ringback.printing.fitting.DoesNotFit` (naming its contact) and no PDF is made.
    An empty list is refused.
    """
    if not cards:
        raise InvalidInput("there are no cards to print")
    geometry = GEOMETRIES[card_format]
    layouts = [card_layout(card, card_format) for card in cards]
    pdf = new_document(width=geometry.width, height=geometry.height, title=title, created=created)
    for layout in layouts:
        pdf.add_page()
        _draw_furniture(pdf, geometry)
        if layout.note is not None:
            pdf.set_text_color(*INK)
            draw_text(pdf, layout.note, Face.HAND)
        pdf.set_text_color(0, 0, 0)
        if layout.sender is not None:
            draw_text(pdf, layout.sender, Face.PLAIN)
        if layout.recipient is not None:
            draw_text(pdf, layout.recipient, Face.PLAIN)
    return finish(pdf)
