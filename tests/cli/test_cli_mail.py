"""``ringback mail print`` writes the day's cards (and labels) to private PDF files and says who
was left out; nothing due is a clear error; ``ringback mail mark-mailed`` logs each card once and
says how many (again: nothing, exit 0); ``ringback mail settings`` shows and changes the print
settings, refusing a bad value with one ``error:`` line."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from ringback.activities.models import Touch
from ringback.core import clock
from ringback.playbooks.models import Enrollment
from ringback.post.models import PrintBatch
from ringback.testing.mail import NOW, MailDay, mail_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(db: None) -> MailDay:
    with clock.frozen(NOW):
        return mail_day()


@pytest.fixture(autouse=True)
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(path.read_bytes())).pages]


def test_print_writes_the_cards_to_a_private_pdf_and_lists_who_was_left_out(ringback, day, tmp_path):
    output = tmp_path / "cards.pdf"
    result = ringback.ok("mail", "print", "--date", "2026-11-23", "--output", output, now=NOW)
    assert "Wrote 4 cards for Monday, November 23 to" in result.out
    assert "(4×6 in postcards)." in result.out
    assert "Left out (2), never printed half-addressed:" in result.out
    assert "  Nora Nowhere: no postal address" in result.out
    assert "  Hal Half: the postal address has no street" in result.out
    assert "Nothing was logged." in result.out
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    texts = pages(output)
    assert len(texts) == 4
    assert all("Dear" in t for t in texts)
    assert not (tmp_path / "cards-labels.pdf").exists()
    assert Touch.objects.count() == 0
    assert [p.name for p in tmp_path.iterdir()] == ["cards.pdf"]  # no temporary file left behind


def test_print_with_labels_writes_them_next_to_the_cards(ringback, day, tmp_path):
    output = tmp_path / "today.pdf"
    data = ringback.json(
        "mail", "print", "--output", output, "--format", "folded", "--labels", "L7163", now=NOW
    )
    labels = tmp_path / "today-labels.pdf"
    assert data["cards"] == 4 and data["labels"] == str(labels) and data["card_format"] == "folded"
    assert [o["name"] for o in data["left_out"]] == ["Nora Nowhere", "Hal Half"]
    assert stat.S_IMODE(labels.stat().st_mode) == 0o600
    (sheet,) = pages(labels)
    assert "Mary Smith\n12 Main Street\nSpringfield, IL 62701" in sheet
    assert "Jürgen Weiß" in sheet and "Zoë Ørsted" in sheet


def test_nothing_to_print_is_an_error(ringback, day, tmp_path):
    result = ringback("mail", "print", "--date", "2026-11-20", "--output", tmp_path / "x.pdf", now=NOW)
    assert result.code == 1
    assert result.err.strip() == "error: nothing to print on Friday, November 20: no card is due that day"
    assert not (tmp_path / "x.pdf").exists()


def test_mark_mailed_logs_each_card_once_and_says_how_many(ringback, day):
    first = ringback.ok("mail", "mark-mailed", "--date", "2026-11-23", now=NOW)
    assert "Logged 4 cards mailed for Monday, November 23; the next step of each is planned." in first.out
    assert Touch.objects.filter(outcome="mailed").count() == 4
    assert Enrollment.objects.filter(contact__in=day.addressed, step_index=1).count() == 4
    again = ringback.ok("mail", "mark-mailed", "--date", "2026-11-23", now=NOW)
    assert again.out.strip() == "Nothing to mark mailed for Monday, November 23 (4 already marked mailed)."
    assert Touch.objects.filter(outcome="mailed").count() == 4
    assert PrintBatch.objects.count() == 1


def test_settings_are_shown_and_changed(ringback, day):
    shown = ringback.json("mail", "settings", now=NOW)
    assert shown == {"card_format": "postcard", "label_sheet": "none", "offset_x": "0.0", "offset_y": "0.0"}
    changed = ringback.ok(
        "mail", "settings", "--format", "a6", "--labels", "5160", "--offset-x", "-1.2", now=NOW
    )
    assert "cards: A6 postcard (a6)" in changed.out
    assert "labels: Avery 5160 (5160)" in changed.out
    assert "label offset: -1.2 mm right, 0.0 mm down" in changed.out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("settings", "--offset-y", "6"),
            "error: the label offset y of 6 mm is out of range: use -5.0 to 5.0 mm",
        ),
        (
            ("settings", "--format", "poster"),
            "error: 'poster' is not a card format: use one of postcard, a6, folded",
        ),
        (("print", "--labels", "avery"), "error: 'avery' is not a label sheet: use one of 5160, l7163"),
        (("print", "--format", "x"), "error: 'x' is not a card format: use one of postcard, a6, folded"),
        (("print", "--date", "tomorrow"), "error: --date 'tomorrow' is not a date (write YYYY-MM-DD)"),
        (
            ("mark-mailed", "--offset-x", "1"),
            "error: --offset-x and --offset-y belong to 'ringback mail settings'",
        ),
        (("mark-mailed", "--output", "x.pdf"), "error: --output belongs to 'ringback mail print'"),
        (
            ("settings", "--date", "2026-11-23"),
            "error: --date belongs to 'ringback mail print' and 'mark-mailed'",
        ),
    ],
)
def test_bad_input_is_one_error_line_and_changes_nothing(ringback, day, args, error):
    result = ringback("mail", *args, now=NOW)
    assert result.code == 1
    assert result.error_lines == [error]
    assert Touch.objects.count() == 0
    assert ringback.json("mail", "settings", now=NOW)["card_format"] == "postcard"


def test_an_unwritable_output_is_a_clear_error(ringback, day, tmp_path):
    result = ringback("mail", "print", "--output", tmp_path / "missing" / "cards.pdf", now=NOW)
    assert result.code == 1
    assert result.error_lines == [
        f"error: cannot write {tmp_path / 'missing' / 'cards.pdf'}: No such file or directory"
    ]
