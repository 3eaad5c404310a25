"""A seller's morning in a real browser (Debian's Chromium driven by Playwright).

Sign in → Today shows the demo agenda → log "voicemail" on the first call → the next card
appears and the contact's timeline shows the touch → book an appointment for tomorrow → it is
on tomorrow's Today → edit a playbook with an error and see the inline message. Screenshots at
390×844 and 1280×800 go to artifacts/.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from ringback.core import clock
from ringback.demo.builder import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tuesday 1 December 2026, 08:30 in Chicago (the demo seller's zone): a working day.
NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)


@pytest.fixture
def demo():
    clock.set_now(NOW)
    try:
        yield demo_load(contacts=80)
    finally:
        clock.set_now(None)


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "ringback-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_a_sellers_morning(chromium, live_server, demo, artifacts):
    from playwright.sync_api import expect

    base = live_server.url
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, base)

    cards = page.locator("article[data-card]")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 10
    page.screenshot(path=str(artifacts / "today-390x844.png"), full_page=False)

    calls = page.locator("article.card-call")
    first = calls.first
    name = first.locator("[id$='-name']").inner_text().strip()
    contact_link = first.locator("a[href*='/contacts/']").first.get_attribute("href")
    assert contact_link and re.search(r"/contacts/\d+/", contact_link)
    first.get_by_role("button", name="Voicemail").click()
    # The logged card goes away without a page reload and the next call is first.
    expect(page.locator("article.card-call").first.locator("[id$='-name']")).not_to_have_text(name)
    expect(page.locator("article[data-card]", has_text=name)).to_have_count(0)
    # ...and Today offers to take it back.
    expect(page.locator("form.today-undo")).to_contain_text(f"voicemail left for {name}")

    page.goto(base + contact_link)
    expect(page.get_by_role("heading", level=1)).to_contain_text(name.split()[0])
    expect(page.locator("#timeline")).to_contain_text(re.compile("Voicemail", re.I))

    tomorrow = (NOW + timedelta(days=1)).strftime("%Y-%m-%d")
    page.fill("input[name$='starts_at']", f"{tomorrow}T11:00")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.locator("body")).to_contain_text(re.compile("booked", re.I))

    clock.set_now(NOW + timedelta(days=1))
    page.goto(f"{base}/")
    appointment = page.locator("article.card-appointment")
    expect(appointment.first).to_be_visible()
    expect(page.locator("article.card-appointment", has_text=name)).to_have_count(1)
    clock.set_now(NOW)

    page.goto(f"{base}/playbooks/call-mail-call/")
    page.get_by_role("button", name=re.compile("Duplicate")).click()
    page.wait_for_url(re.compile(r"/playbooks/[a-z0-9-]+/edit/"))
    source = page.locator("textarea[name='source']")
    text = source.input_value().replace("wait: 3-4 days", "wait: 3-x days")
    source.fill(text)
    page.get_by_role("button", name="Save", exact=True).click()
    error = page.locator("#yaml-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("step 3: wait '3-x days' is not a duration range")

    desktop = chromium.new_context(viewport={"width": 1280, "height": 800})
    wide = desktop.new_page()
    sign_in(wide, base)
    expect(wide.locator("article[data-card]").first).to_be_visible()
    wide.screenshot(path=str(artifacts / "today-1280x800.png"), full_page=False)
    desktop.close()
    context.close()


def test_importing_a_google_export(chromium, live_server, demo, artifacts, settings):
    """Contacts → Import → upload a Google export → the preview → import → the report → search.

    The import's background task runs at once here (test_browser_import_progress.py follows one
    run by the worker)."""
    from pathlib import Path

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    from playwright.sync_api import expect

    google = Path(__file__).resolve().parents[1] / "fixtures" / "contacts" / "google.csv"
    base = live_server.url
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, base)
    page.goto(f"{base}/contacts/")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_label("Contact file").set_input_files(str(google))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Preview of google.csv")).to_be_visible()
    expect(page.get_by_text("Zoë Ñúñez").first).to_be_visible()
    page.screenshot(path=str(artifacts / "import-preview-390x844.png"), full_page=True)
    page.get_by_role("button", name=re.compile(r"^Import \d+ contacts$")).click()
    expect(page.get_by_role("heading", name="google.csv")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Imported \d+ contacts from google\.csv"))).to_be_visible()
    page.goto(f"{base}/contacts/?q=%C3%91%C3%BA%C3%B1ez")
    expect(page.locator(".contact-name", has_text="Zoë Ñúñez")).to_be_visible()
    context.close()
