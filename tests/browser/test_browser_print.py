"""Printing the day's cards in a real browser (Debian's Chromium driven by Playwright).

Sally signs in → Today offers "Print today's cards (5)" → the Print page lists four cards and
the two people left out, with why → the cards' PDF downloads (four pages, each with its note and
address) → she ticks the confirmation and marks the batch mailed → back on Today the four cards
are gone, the message says their next steps are planned, and Mary's next step is the call after
the card. Screenshots at 390×844 go to artifacts/.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from ringback.activities.models import Touch
from ringback.core import clock
from ringback.playbooks.models import Enrollment
from ringback.testing.mail import NOW, PASSWORD, mail_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day():
    clock.set_now(NOW)
    try:
        yield mail_day()
    finally:
        clock.set_now(None)


def test_print_todays_cards_then_mark_them_mailed(chromium, live_server, day, artifacts):
    from playwright.sync_api import expect

    base = live_server.url
    context = chromium.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "sally")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    cards = page.locator("article.card-mail")
    expect(cards).to_have_count(6)
    page.get_by_role("link", name="Print today's cards (5)").click()
    page.wait_for_url(f"{base}/print/")
    expect(page.get_by_role("heading", name="4 cards to print")).to_be_visible()
    left_out = page.locator(".print-left-out")
    expect(left_out).to_contain_text("Nora Nowhere: no postal address")
    expect(left_out).to_contain_text("Hal Half: the postal address has no street")
    page.screenshot(path=str(artifacts / "print-390x844.png"), full_page=True)

    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download the cards (PDF)").click()
    download = waiting.value
    assert download.suggested_filename == "ringback-cards-2026-11-23.pdf"
    pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    texts = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    assert len(texts) == 4
    for first, street in (
        ("Mary", "12 Main Street"),
        ("Zoë", "7 Nørre Lane"),
        ("Iñigo", "3 Calle Mayor Ave"),
        ("Jürgen", "5 Hauptstraße Road"),
    ):
        assert any(f"Dear {first}," in t and street in t for t in texts), (first, texts)
    assert Touch.objects.count() == 0, "printing logs nothing"

    page.get_by_role("button", name="Mark batch mailed").click()
    expect(page.get_by_text("Tick the box to confirm the cards are going in the mail.")).to_be_visible()
    page.get_by_label("I have printed these cards and they are going in the mail").check()
    page.get_by_role("button", name="Mark batch mailed").click()
    page.wait_for_url(f"{base}/")
    expect(page.locator(".flash")).to_contain_text("4 cards logged mailed; the next step of each is planned.")
    for name in ("Mary Smith", "Zoë Ørsted", "Iñigo Muñoz", "Jürgen Weiß"):
        expect(page.locator("article.card-mail", has_text=name)).to_have_count(0)
    expect(page.locator("article.card-mail")).to_have_count(2)  # Nora and Hal still need an address
    expect(page.get_by_role("link", name="Print today's cards (1)")).to_be_visible()
    page.screenshot(path=str(artifacts / "print-after-mailed-390x844.png"), full_page=False)

    mary = Enrollment.objects.get(contact=day.addressed[0])
    assert mary.step_index == 1 and mary.due_start is not None and mary.due_start > NOW
    page.goto(f"{base}/contacts/{day.addressed[0].pk}/")
    expect(page.locator("#timeline")).to_contain_text(re.compile("Note mailed", re.I))
    context.close()
