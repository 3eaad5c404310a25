"""The Print page: Today's link with the count, the batch and who is left out, the PDFs (a GET
writes nothing), "Mark batch mailed" (a POST with CSRF and a confirmation), the print settings."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from ringback.activities.models import Touch
from ringback.post.models import PrintBatch, PrintSettings
from ringback.post.selectors import batch_for_day
from ringback.post.services import print_settings_update
from ringback.testing.mail import MailDay
from ringback.testing.mail import seller as make_seller

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def cards_of(page: str) -> list[str]:
    return re.findall(r'name="card" value="([^"]+)"', page)


def test_today_links_to_printing_its_cards_with_their_count(seller: Client, day: MailDay):
    page = text(seller.get(reverse("today")))
    # Five cards on Today: Hal's has half an address, so the Print page will leave him out.
    assert f'<a href="{reverse("post:print")}">Print today\'s cards (5)</a>' in page
    empty = Client()
    empty.force_login(make_seller("nobody").memberships.get().user)
    assert "Print today's cards" not in text(empty.get(reverse("today")))


def test_the_print_page_shows_the_batch_and_who_is_left_out_and_why(seller: Client, day: MailDay):
    response = seller.get(reverse("post:print"))
    assert response.status_code == 200
    page = text(response)
    assert "4 cards to print" in page and "Monday, November 23 · today" in page
    for name in ("Mary Smith", "Zoë Ørsted", "Iñigo Muñoz", "Jürgen Weiß"):
        assert name in page
    assert "Nora Nowhere</a>: no postal address" in page
    assert "Hal Half</a>: the postal address has no street" in page
    assert "Download the cards (PDF)" in page and "Download the labels (PDF)" not in page
    assert "Postcards carry the address and the stamp box" in page
    assert len(cards_of(response.content.decode())) == 4
    assert Touch.objects.count() == 0


def test_the_cards_pdf_downloads_and_logs_nothing(seller: Client, day: MailDay):
    response = seller.get(reverse("post:cards_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ringback-cards-2026-11-23.pdf"'
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 4
    assert Touch.objects.count() == 0 and PrintBatch.objects.count() == 0


def test_the_labels_pdf_needs_a_sheet_and_then_downloads(seller: Client, day: MailDay):
    page = text(seller.get(reverse("post:labels_pdf")))
    assert "No labels to print: no label sheet is chosen: choose one in the print settings" in page
    print_settings_update(account=day.account, label_sheet="5160")
    response = seller.get(reverse("post:labels_pdf"))
    assert response["Content-Disposition"] == 'attachment; filename="ringback-labels-2026-11-23.pdf"'
    assert "Springfield, IL 62701" in (PdfReader(io.BytesIO(response.content)).pages[0].extract_text() or "")


def test_a_day_with_nothing_to_print_says_so(seller: Client, day: MailDay):
    response = seller.get(reverse("post:cards_pdf"), {"day": "2026-11-20"})
    assert response.status_code == 200
    page = text(response)
    assert "Nothing to print on Friday, November 20: no card is due that day" in page
    assert "Friday, November 20" in page
    bad = text(seller.get(reverse("post:print"), {"day": "someday"}))
    assert "That is not a day: here are today's cards." in bad


def test_marking_the_batch_mailed_needs_the_confirmation(seller: Client, day: MailDay):
    page = seller.get(reverse("post:print")).content.decode()
    body = {"day": "2026-11-23", "card": cards_of(page)}
    refused = seller.post(reverse("post:mark"), body)
    assert refused.status_code == 400
    assert "Tick the box to confirm the cards are going in the mail." in text(refused)
    assert Touch.objects.count() == 0


def test_marking_the_batch_mailed_logs_each_card_and_today_moves_on(seller: Client, day: MailDay):
    page = seller.get(reverse("post:print")).content.decode()
    body = {"day": "2026-11-23", "card": cards_of(page), "confirm": "on"}
    response = seller.post(reverse("post:mark"), body)
    assert response.status_code == 302 and response["Location"] == reverse("today")
    assert Touch.objects.filter(outcome="mailed").count() == 4
    today = text(seller.get(reverse("today")))
    assert "4 cards logged mailed; the next step of each is planned." in today
    assert "Print today's cards (1)" in today  # Hal: his card shows, his address is half there
    for name in ("Mary Smith", "Zoë Ørsted"):
        assert f"{name}" not in today.split("4 cards logged mailed")[1]
    again = seller.post(reverse("post:mark"), body)
    assert again.status_code == 302
    assert (
        "Nothing was logged: Mary Smith: already marked mailed with the batch of Mon 23 Nov at 09:00"
        in text(seller.get(reverse("today")))
    )
    assert Touch.objects.filter(outcome="mailed").count() == 4
    marked = text(seller.get(reverse("post:print")))
    assert "09:00: 4 cards logged mailed" in marked, marked[marked.find("Marked mailed") :][:300]


def test_the_print_settings_are_saved_and_bad_ones_shown_next_to_their_field(seller: Client, day: MailDay):
    url = reverse("post:settings")
    saved = seller.post(
        url,
        {
            "card_format": "folded",
            "label_sheet": "l7163",
            "offset_x": "1.5",
            "offset_y": "-2",
            "day": "2026-11-23",
        },
    )
    assert saved.status_code == 302
    assert (PrintSettings.objects.get().card_format, str(PrintSettings.objects.get().offset_y)) == (
        "folded",
        "-2.0",
    )
    page = text(seller.get(reverse("post:print")))
    assert "Print settings saved." in page
    assert "Printed on: folded note card (A2); addresses on Avery L7163 labels." in page
    bad = seller.post(
        url, {"card_format": "folded", "label_sheet": "l7163", "offset_x": "9", "offset_y": "0"}
    )
    assert bad.status_code == 400
    # The command line's words (ringback mail settings --offset-x 9), next to the field.
    assert "The label offset x of 9 mm is out of range: use -5.0 to 5.0 mm" in text(bad)
    assert str(PrintSettings.objects.get().offset_x) == "1.5"


def test_posts_need_the_csrf_token(day: MailDay):
    client = Client(enforce_csrf_checks=True)
    client.force_login(day.account.memberships.get().user)
    keys = [c.key for c in batch_for_day(account=day.account).cards]
    response = client.post(reverse("post:mark"), {"day": "2026-11-23", "card": keys, "confirm": "on"})
    assert response.status_code == 403
    assert client.post(reverse("post:settings"), {"card_format": "a6"}).status_code == 403
    assert Touch.objects.count() == 0


def test_a_get_of_the_mark_or_settings_address_changes_nothing(seller: Client, day: MailDay):
    assert seller.get(reverse("post:mark")).status_code == 405
    assert seller.get(reverse("post:settings")).status_code == 405
