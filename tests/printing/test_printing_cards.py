"""Cards rendered to PDF and read back: one page per card at the format's size, each note's words
in order, the offer's line, the address where the post office looks for it, accents kept; a note
too long for the card shrinks, then is refused naming the contact (never cut).

Positions are read with pdfplumber (points from the page's top left), text with pypdf. One page
of each format is turned into a PNG in artifacts/ for a person to look at.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from ringback.core.errors import InvalidInput
from ringback.printing.cards import GEOMETRIES, CardFormat, card_layout, cards_pdf
from ringback.printing.faces import MM_PER_PT, Face, metrics
from ringback.printing.fitting import DoesNotFit
from ringback.printing.pieces import Card, Offer

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
MM = 72 / 25.4  # points in a millimetre
CREATED = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)

NOTE = (
    "Dear Mary,\nIt was a pleasure to think of you this week. I've set aside a special offer just "
    "for you, and it's good until Tuesday, December 8. Give me a call at (312) 555-0142 and I'll "
    "make sure you get yours.\nWarmly, Sally"
)
SALLY = ("Sally Baker", "Sweet Home", "4 Oak Lane", "Chicago, IL 60601")


def card(name: str = "Mary Smith", note: str = NOTE, **more: object) -> Card:
    values: dict[str, object] = {
        "contact": name,
        "note": note,
        "recipient": (name, "12 Main Street", "Springfield, IL 62701"),
        "sender": SALLY,
    }
    values.update(more)
    return Card(**values)  # type: ignore[arg-type]


def words(text: str) -> list[str]:
    return text.split()


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def in_order(wanted: list[str], found: list[str]) -> bool:
    """Every word of ``wanted`` appears in ``found``, in the same order."""
    position = 0
    for word in wanted:
        try:
            position = found.index(word, position) + 1
        except ValueError:
            return False
    return True


# --- pages, sizes and text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card_format", "size_mm"),
    [
        (CardFormat.POSTCARD, (152.4, 101.6)),  # 6 × 4 in, landscape
        (CardFormat.A6, (148.0, 105.0)),
        (CardFormat.FOLDED, (215.9, 139.7)),  # the 8½ × 5½ in sheet, landscape
    ],
)
def test_one_page_per_card_at_the_formats_size_with_each_note(card_format, size_mm):
    people = ["Mary Smith", "Zoë Ørsted", "Iñigo Muñoz", "Jürgen Weiß"]
    cards = [
        card(name, note=f"Dear {name.split()[0]},\nThank you, {name}, for the order.\nWarmly, Sally")
        for name in people
    ]
    pdf = cards_pdf(cards, card_format=card_format, created=CREATED)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(people)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(size_mm[0] * MM, abs=0.5)
        assert height == pytest.approx(size_mm[1] * MM, abs=0.5)
    texts = page_texts(pdf)
    for name, text in zip(people, texts, strict=True):
        assert in_order(
            words(f"Dear {name.split()[0]}, Thank you, {name}, for the order. Warmly, Sally"), words(text)
        )
        if card_format is CardFormat.FOLDED:
            assert "Springfield" not in text  # a folded card's address goes on the envelope's label
        else:
            assert in_order(
                [*name.split(), "12", "Main", "Street", "Springfield,", "IL", "62701"], words(text)[-12:]
            )
            assert "Sweet Home" in text  # the return address


def test_non_ascii_names_round_trip_in_the_note_and_the_address():
    name = "Åsa Ñúñez-Weiß Ø"
    pdf = cards_pdf(
        [card(name, note=f"Liebe {name}, schöne Grüße aus Köln, ça va? Søren sends his best. €20 off.")],
        card_format=CardFormat.A6,
    )
    (text,) = page_texts(pdf)
    for word in ("Åsa", "Ñúñez-Weiß", "Ø", "schöne", "Grüße", "Köln,", "ça", "Søren", "€20"):
        assert word in words(text), (word, text)


def test_the_offer_line_prints_under_the_note_with_its_date():
    offer = Offer(name="Spring gift set", details="20% off", until=date(2026, 12, 8))
    pdf = cards_pdf([card(offer=offer)], card_format=CardFormat.POSTCARD)
    (text,) = page_texts(pdf)
    flat = " ".join(text.split())
    assert "Spring gift set: 20% off, good until Tuesday, December 8" in flat
    assert flat.index("Warmly, Sally") < flat.index("Spring gift set")
    assert Offer(until=date(2026, 12, 8)).line == "Offer good until Tuesday, December 8"


def test_the_same_cards_make_the_same_pdf_at_the_same_time():
    first = cards_pdf([card()], card_format=CardFormat.POSTCARD, created=CREATED)
    again = cards_pdf([card()], card_format=CardFormat.POSTCARD, created=CREATED)
    assert first == again


def test_nothing_to_print_is_refused():
    with pytest.raises(InvalidInput, match="no cards to print"):
        cards_pdf([], card_format=CardFormat.POSTCARD)


# --- where things go ------------------------------------------------------------------------------


def chars_of(pdf: bytes, page: int = 0) -> list[dict[str, Any]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [c for c in document.pages[page].chars if c["text"].strip()]


def inside(char: dict[str, Any], box, slack: float = 0.3) -> bool:
    """Whether a character's box lies within ``box`` (millimetres), give or take ``slack`` mm."""
    return bool(
        char["x0"] / MM >= box.x - slack
        and char["x1"] / MM <= box.right + slack
        and char["top"] / MM >= box.y - slack
        and char["bottom"] / MM <= box.bottom + slack
    )


@pytest.mark.parametrize("card_format", [CardFormat.POSTCARD, CardFormat.A6])
def test_a_postcard_has_the_note_left_and_the_address_right_clear_of_the_barcode_strip(card_format):
    geometry = GEOMETRIES[card_format]
    pdf = cards_pdf([card()], card_format=card_format)
    chars = chars_of(pdf)
    handwriting = [c for c in chars if "Caveat" in c["fontname"]]
    plain = [c for c in chars if "Atkinson" in c["fontname"]]
    assert handwriting and plain
    middle = geometry.width / 2
    assert all(c["x1"] / MM < middle for c in handwriting), "the note stays on the left half"
    assert all(inside(c, geometry.note) for c in handwriting)
    assert all(c["x0"] / MM > middle for c in plain), "addresses stay on the right half"
    recipient = [c for c in plain if c["size"] > 8]
    assert all(inside(c, geometry.address) for c in recipient)
    assert max(c["bottom"] for c in recipient) / MM <= geometry.height - 16  # the barcode strip
    assert all(c["upright"] for c in chars)


def test_a_folded_card_has_the_note_upright_on_the_inside_right_panel():
    geometry = GEOMETRIES[CardFormat.FOLDED]
    pdf = cards_pdf([card()], card_format=CardFormat.FOLDED)
    chars = chars_of(pdf)
    assert chars and all("Caveat" in c["fontname"] for c in chars)
    assert all(c["upright"] for c in chars)
    assert min(c["x0"] for c in chars) / MM > geometry.width / 2 + 5, "on the right panel, clear of the fold"
    assert all(inside(c, geometry.note) for c in chars)


# --- a note that does not fit ---------------------------------------------------------------------


def test_a_longer_note_is_set_smaller_and_still_whole():
    short = card_layout(card(), CardFormat.POSTCARD).note
    long_note = " ".join([NOTE] * 3)
    fitted = card_layout(card(note=long_note), CardFormat.POSTCARD).note
    assert short is not None and fitted is not None
    assert fitted.size < short.size
    assert fitted.size >= GEOMETRIES[CardFormat.POSTCARD].note_style.smallest
    assert " ".join(fitted.lines).split() == long_note.split()


def test_a_note_too_long_even_at_the_smallest_size_is_refused_naming_the_contact():
    with pytest.raises(DoesNotFit) as refused:
        card_layout(card("Zoë Ørsted", note=" ".join([NOTE] * 12)), CardFormat.POSTCARD)
    message = refused.value.message
    assert message.startswith("Zoë Ørsted's note is too long for a 4×6 in postcard, even at 11 pt")
    assert re.search(r"\d+ words, about \d+ fit", message)
    assert refused.value.field == "note"
    # The larger folded card takes a long note at a larger size than the postcard does.
    three = card(note=" ".join([NOTE] * 3))
    folded, postcard = (
        card_layout(three, CardFormat.FOLDED).note,
        card_layout(three, CardFormat.POSTCARD).note,
    )
    assert folded is not None and postcard is not None and folded.size > postcard.size


def test_characters_the_font_lacks_are_refused_naming_the_contact():
    with pytest.raises(DoesNotFit, match=r"Mary Smith's note has characters .* \(你, 好\)"):
        card_layout(card(note="Dear Mary, 你好!"), CardFormat.A6)
    with pytest.raises(DoesNotFit, match="Mary Smith's address has characters"):
        card_layout(card(recipient=("Mary Smith", "1 Rue ☃")), CardFormat.A6)


def test_a_postcard_needs_an_address_and_a_300_character_street_is_wrapped_or_refused():
    with pytest.raises(DoesNotFit, match="Mary Smith has no address to print on the A6 postcard"):
        card_layout(card(recipient=()), CardFormat.A6)
    street = ("Apartment 4B, the long building behind the old mill " * 6)[:300].strip()
    recipient = ("Mary Smith", street, "Springfield, IL 62701")
    fitted = card_layout(card(recipient=recipient), CardFormat.POSTCARD).recipient
    assert fitted is not None and fitted.wrapped and len(fitted.lines) > 3
    assert " ".join(fitted.lines).split() == " ".join(recipient).split()
    pdf = cards_pdf([card(recipient=recipient)], card_format=CardFormat.POSTCARD)
    box = GEOMETRIES[CardFormat.POSTCARD].address
    assert all(inside(c, box) for c in chars_of(pdf) if "Atkinson" in c["fontname"] and c["size"] >= 7.9)
    with pytest.raises(
        DoesNotFit, match="Mary Smith's address is too long for a 4×6 in postcard, even wrapped"
    ):
        card_layout(card(recipient=("Mary Smith", street * 3, "Springfield, IL 62701")), CardFormat.POSTCARD)


# --- the layout's promise, for any note -----------------------------------------------------------

LETTERS = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzéñßøüÅ"))
WORD = st.text(LETTERS, min_size=1, max_size=14)
NOTES = st.lists(st.lists(WORD, min_size=1, max_size=40).map(" ".join), min_size=1, max_size=6).map("\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=NOTES, card_format=st.sampled_from(list(CardFormat)))
def test_a_note_is_printed_whole_inside_its_box_or_refused(note, card_format):
    geometry = GEOMETRIES[card_format]
    try:
        fitted = card_layout(card(note=note), card_format).note
    except DoesNotFit as refused:
        assert "too long" in refused.message
        return
    assert fitted is not None
    style = geometry.note_style
    assert style.smallest <= fitted.size <= style.largest
    # Every character, in order (a word too long for a line is split, never dropped).
    assert "".join(fitted.lines).replace(" ", "") == note.replace(" ", "").replace("\n", "")
    hand = metrics(Face.HAND)
    em = fitted.size * MM_PER_PT
    for line, baseline in zip(fitted.lines, fitted.baselines, strict=True):
        assert hand.width(line, fitted.size) <= geometry.note.width + 1e-6
        bottom = baseline - hand.descent * em  # the line's em box: from the descent to an em above it
        assert geometry.note.y - 1e-6 <= bottom - em
        assert bottom <= geometry.note.bottom + 1e-6


# --- a page for a person to look at ---------------------------------------------------------------


def test_a_card_page_as_a_png_for_a_person_to_look_at():
    ARTIFACTS.mkdir(exist_ok=True)
    offer = Offer(until=date(2026, 12, 8))
    for card_format in CardFormat:
        pdf = cards_pdf([card("Zoë Ørsted", offer=offer)], card_format=card_format, created=CREATED)
        document = pypdfium2.PdfDocument(pdf)
        image = document[0].render(scale=150 / 72).to_pil()
        path = ARTIFACTS / f"card-{card_format.value}.png"
        image.save(path)
        assert image.size[0] > 600 and path.stat().st_size > 5_000
        document.close()
