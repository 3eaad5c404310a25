"""The day's batch of cards: who is printed, who is left out and why; printing writes nothing;
"Mark batch mailed" logs every card once, through the Mailed button's own service, and plans
each next step; a card already dealt with is skipped and said so; the print settings."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from ringback.activities.models import Touch
from ringback.activities.services import agenda_card_log, touch_log, touch_undo
from ringback.contacts.services import AddressInput, address_set
from ringback.core import clock
from ringback.core.errors import InvalidInput, NotFound
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start
from ringback.post.choices import CardState
from ringback.post.models import PrintBatch, PrintBatchCard, PrintSettings
from ringback.post.selectors import (
    NothingToPrint,
    batch_cards_pdf,
    batch_for_day,
    batch_labels_pdf,
    card_key,
    card_key_parse,
    print_settings_get,
)
from ringback.post.services import batch_mark_mailed, print_settings_update
from ringback.printing.cards import CardFormat
from ringback.printing.labels import Offset, SheetName
from ringback.testing.mail import NOW, MailDay, card_due, mail_day, seller

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
STREET_300 = ("Apartment 4B, the long building behind the old mill " * 6)[:300].strip()


def names(cards) -> list[str]:
    return [c.name for c in cards]


# --- the batch --------------------------------------------------------------------------------------


def test_the_batch_is_the_days_cards_and_who_is_left_out_and_why(day: MailDay):
    batch = batch_for_day(account=day.account)
    assert batch.day.isoformat() == "2026-11-23"
    assert sorted(names(batch.cards)) == ["Iñigo Muñoz", "Jürgen Weiß", "Mary Smith", "Zoë Ørsted"]
    assert [(o.name, o.reason) for o in batch.left_out] == [
        ("Nora Nowhere", "no postal address"),
        ("Hal Half", "the postal address has no street"),
    ]
    mary = next(c for c in batch.cards if c.name == "Mary Smith")
    assert mary.card.recipient == ("Mary Smith", "12 Main Street", "Springfield, IL 62701")
    assert mary.card.sender == ("Sally Baker", "Sweet Home", "4 Oak Lane", "Chicago, IL 60601")
    assert mary.card.note.startswith("Dear Mary,")
    assert mary.address == "12 Main Street, Springfield, IL 62701"
    assert mary.ref.enrollment_id == Enrollment.objects.get(contact=day.addressed[0]).pk


def test_printing_writes_nothing(day: MailDay):
    print_settings_update(account=day.account, label_sheet="5160")
    with CaptureQueriesContext(connection) as queries:
        batch = batch_for_day(account=day.account)
        batch_cards_pdf(batch=batch)
        batch_labels_pdf(batch=batch)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert Touch.objects.count() == 0


def test_the_cards_pdf_has_a_page_per_card_with_its_note_and_address(day: MailDay):
    batch = batch_for_day(account=day.account)
    reader = PdfReader(io.BytesIO(batch_cards_pdf(batch=batch)))
    assert len(reader.pages) == len(batch.cards) == 4
    for card, page in zip(batch.cards, reader.pages, strict=True):
        text = " ".join((page.extract_text() or "").split())
        first, last = card.name.split()
        assert f"Dear {first}," in text
        assert card.card.recipient[1] in text and last in text
    assert reader.metadata is not None and reader.metadata.title == "Cards for Monday, November 23"


def test_the_labels_pdf_has_each_address_and_needs_a_sheet(day: MailDay):
    batch = batch_for_day(account=day.account)
    with pytest.raises(InvalidInput, match="no label sheet is chosen"):
        batch_labels_pdf(batch=batch)
    print_settings_update(account=day.account, label_sheet="l7163", offset_x="1.5")
    batch = batch_for_day(account=day.account)
    reader = PdfReader(io.BytesIO(batch_labels_pdf(batch=batch)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text() or ""
    for card in batch.cards:
        assert "\n".join(card.card.recipient) in text


def test_a_300_character_street_wraps_on_a_postcard_and_is_left_out_of_small_labels(day: MailDay):
    mary = day.addressed[0]
    address_set(
        account=day.account,
        contact=mary,
        address=AddressInput(street=STREET_300, city="Springfield", region="IL", postal_code="62701"),
    )
    batch = batch_for_day(account=day.account)
    assert "Mary Smith" in names(batch.cards)  # the postcard's address area takes it, wrapped
    print_settings_update(account=day.account, label_sheet="5160")
    batch = batch_for_day(account=day.account)
    assert "Mary Smith" not in names(batch.cards)
    (left,) = [o for o in batch.left_out if o.name == "Mary Smith"]
    assert left.reason == (
        "Mary Smith's address is too long for an Avery 5160 label, even wrapped at 7 pt: "
        "shorten it, or choose larger labels"
    )
    print_settings_update(account=day.account, label_sheet="l7163")
    assert "Mary Smith" in names(batch_for_day(account=day.account).cards)


def test_a_day_with_nothing_to_print_says_why(day: MailDay):
    tomorrow = NOW.date() + timedelta(days=1)
    empty = batch_for_day(account=seller("nobody"), day=tomorrow)
    assert empty.cards == () and empty.left_out == ()
    with pytest.raises(
        NothingToPrint, match="nothing to print on Tuesday, November 24: no card is due that day"
    ):
        batch_cards_pdf(batch=empty)
    for contact in day.addressed:
        address_set(account=day.account, contact=contact, address=AddressInput())
    with pytest.raises(NothingToPrint, match=r"6 cards due, all left out \(Mary Smith: no postal address;"):
        batch_cards_pdf(batch=batch_for_day(account=day.account))


def test_the_offer_on_the_card_is_the_one_its_note_names(db):
    account = mail_day().account
    mary = card_due(
        account,
        "Olive",
        "Offer",
        150,
        AddressInput(street="1 Elm St", city="Dover", region="DE", postal_code="19901"),
    )
    enrollment_start(account=account, contact=mary, playbook="call-mail-call", replace=True)
    touch_log(account=account, contact=mary, outcome="voicemail")
    enrollment = Enrollment.objects.get(contact=mary, status="active")
    assert enrollment.due_start is not None
    with clock.frozen(max(enrollment.due_start, NOW) + timedelta(minutes=1)):
        batch = batch_for_day(account=account, day=enrollment.due_start.astimezone(NEW_YORK).date())
    (card,) = [c for c in batch.cards if c.name == "Olive Offer"]
    assert card.card.offer is not None and card.card.offer.until is not None
    until = card.card.offer.line.split("good until ")[1]
    assert until in " ".join(card.card.note.split()), (card.card.offer.line, card.card.note)


# --- marking the batch mailed -----------------------------------------------------------------------


def test_marking_the_batch_logs_each_card_once_and_plans_the_next_steps(day: MailDay):
    batch = batch_for_day(account=day.account)
    keys = [c.key for c in batch.cards]
    marked = batch_mark_mailed(account=day.account, day=batch.day, keys=keys)
    assert sorted(marked.mailed) == sorted(names(batch.cards)) and marked.skipped == ()
    touches = Touch.objects.filter(outcome="mailed")
    assert touches.count() == 4
    assert {t.step for t in touches} == {"intro-card"}
    for contact in day.addressed:
        enrollment = Enrollment.objects.get(contact=contact)
        assert enrollment.step_index == 1  # the call after the card is planned
        assert enrollment.due_start is not None and enrollment.due_start > NOW + timedelta(days=2)
    (recorded,) = PrintBatch.objects.all()
    assert (recorded.mailed, recorded.skipped, recorded.day) == (4, 0, batch.day)
    assert PrintBatchCard.objects.filter(state=CardState.MAILED).count() == 4

    again = batch_mark_mailed(account=day.account, day=batch.day, keys=keys)
    assert again.mailed == () and again.batch is None
    assert {s.reason for s in again.skipped} == {
        "already marked mailed with the batch of Mon 23 Nov at 09:00"
    }
    assert Touch.objects.filter(outcome="mailed").count() == 4
    assert PrintBatch.objects.count() == 1
    # Printed again, the day has nothing left: the batch went out.
    assert batch_for_day(account=day.account).cards == ()


def test_a_card_mailed_on_its_own_before_the_batch_is_skipped_and_said_so(day: MailDay):
    batch = batch_for_day(account=day.account)
    mary = next(c for c in batch.cards if c.name == "Mary Smith")
    agenda_card_log(account=day.account, contact=day.addressed[0], ref=mary.ref, outcome="mailed")
    marked = batch_mark_mailed(account=day.account, day=batch.day, keys=[c.key for c in batch.cards])
    assert sorted(marked.mailed) == ["Iñigo Muñoz", "Jürgen Weiß", "Zoë Ørsted"]
    assert [(s.name, s.reason) for s in marked.skipped] == [
        ("Mary Smith", "already marked note mailed on its own, Mon 23 Nov at 09:00")
    ]
    assert Touch.objects.filter(contact=day.addressed[0], outcome="mailed").count() == 1
    assert PrintBatch.objects.get().skipped == 1


def test_a_card_whose_playbook_moved_on_is_skipped(day: MailDay):
    batch = batch_for_day(account=day.account)
    touch_log(account=day.account, contact=day.addressed[1], outcome="not-interested")
    marked = batch_mark_mailed(account=day.account, day=batch.day, keys=[c.key for c in batch.cards])
    assert [s.name for s in marked.skipped] == ["Zoë Ørsted"]
    assert marked.skipped[0].reason.startswith("its playbook has moved on since it was printed")
    assert len(marked.mailed) == 3


def test_a_card_taken_back_with_undo_can_be_marked_again(day: MailDay):
    batch = batch_for_day(account=day.account)
    batch_mark_mailed(account=day.account, day=batch.day, keys=[c.key for c in batch.cards])
    touch_undo(account=day.account, contact=day.addressed[0])
    again = batch_for_day(account=day.account)
    assert names(again.cards) == ["Mary Smith"]
    marked = batch_mark_mailed(account=day.account, day=again.day, keys=[c.key for c in again.cards])
    assert marked.mailed == ("Mary Smith",)
    states = list(
        PrintBatchCard.objects.filter(contact=day.addressed[0]).order_by("id").values_list("state", flat=True)
    )
    assert states == [CardState.UNDONE, CardState.MAILED]


def test_the_database_refuses_one_card_logged_by_two_batches(day: MailDay):
    batch = batch_for_day(account=day.account)
    batch_mark_mailed(account=day.account, day=batch.day, keys=[batch.cards[0].key])
    first = PrintBatchCard.objects.get()
    copy = PrintBatchCard(
        account=day.account,
        batch=first.batch,
        contact=first.contact,
        enrollment=first.enrollment,
        step=first.step,
        due=first.due,
        state=CardState.MAILED,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_another_accounts_card_is_no_such_card_and_nothing_is_logged(day: MailDay):
    bob = mail_day("bob")
    mine = [c.key for c in batch_for_day(account=day.account).cards]
    theirs = batch_for_day(account=bob.account).cards[0].key
    with pytest.raises(NotFound):
        batch_mark_mailed(account=day.account, day=NOW.date(), keys=[*mine, theirs])
    assert Touch.objects.count() == 0 and PrintBatch.objects.count() == 0


def test_a_made_up_card_is_refused(day: MailDay):
    with pytest.raises(InvalidInput, match="this batch is out of date"):
        batch_mark_mailed(account=day.account, day=NOW.date(), keys=["12|x|not-a-date"])


def test_without_the_printed_cards_the_batch_is_the_days_cards_now(day: MailDay):
    marked = batch_mark_mailed(account=day.account, day=NOW.date())
    assert len(marked.mailed) == 4 and marked.skipped == ()
    again = batch_mark_mailed(account=day.account, day=NOW.date())
    assert again.mailed == () and again.skipped == () and again.batch is None
    assert Touch.objects.filter(outcome="mailed").count() == 4


def test_card_keys_round_trip(day: MailDay):
    batch = batch_for_day(account=day.account)
    for card in batch.cards:
        assert card_key(card.ref) == card.key
        assert card_key_parse(card.key) == (card.ref.enrollment_id, card.ref.step, card.ref.due)


# --- print settings --------------------------------------------------------------------------------


def test_the_default_settings_follow_the_sellers_region(day: MailDay):
    assert print_settings_get(account=day.account).card_format is CardFormat.POSTCARD
    assert print_settings_get(account=day.account).label_sheet is None
    day.account.default_region = "GB"
    assert print_settings_get(account=day.account).card_format is CardFormat.A6


def test_settings_are_saved_and_bad_values_refused_naming_their_field(day: MailDay):
    choice = print_settings_update(
        account=day.account, card_format="Folded", label_sheet="L7163", offset_x="1.26", offset_y="-0,5"
    )
    assert (choice.card_format, choice.label_sheet, choice.offset) == (
        CardFormat.FOLDED,
        SheetName.AVERY_L7163,
        Offset(1.3, -0.5),
    )
    for changes, field, message in (
        (
            {"card_format": "poster"},
            "card_format",
            "'poster' is not a card format: use one of postcard, a6, folded",
        ),
        (
            {"label_sheet": "avery"},
            "label_sheet",
            "'avery' is not a label sheet: use one of none, 5160, l7163",
        ),
        ({"offset_x": "5.5"}, "offset_x", "the label offset x of 5.5 mm is out of range: use -5.0 to 5.0 mm"),
        ({"offset_y": "up"}, "offset_y", "the label offset y 'up' is not a number of millimetres"),
        ({"offset_y": "nan"}, "offset_y", "the label offset y of nan mm is out of range: use -5.0 to 5.0 mm"),
    ):
        with pytest.raises(InvalidInput) as refused:
            print_settings_update(account=day.account, **changes)
        assert (refused.value.field, refused.value.message) == (field, message)
    assert print_settings_get(account=day.account) == choice  # nothing half-written
    assert PrintSettings.objects.count() == 1


def test_the_database_keeps_the_offset_within_5_mm(day: MailDay):
    print_settings_update(account=day.account, offset_x="2")
    with pytest.raises(IntegrityError), transaction.atomic():
        PrintSettings.objects.filter(account=day.account).update(offset_x=7)
