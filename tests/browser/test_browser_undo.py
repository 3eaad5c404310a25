"""Log a callback from a contact's page, and undo a "Not interested" on Today, in a real browser
(issue 11: the browser walk of #10 and #11)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

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
        yield demo_load(contacts=60)
    finally:
        clock.set_now(None)


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "ringback-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_undo_a_not_interested_then_log_a_callback_from_the_contact_page(
    chromium, live_server, demo, artifacts
):
    from playwright.sync_api import expect

    base = live_server.url
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, base)

    first = page.locator("article.card-call").first
    name = first.locator("[id$='-name']").inner_text().strip()
    contact_link = first.locator("a[href*='/contacts/']").first.get_attribute("href")
    first.get_by_role("button", name="Not interested").click()
    expect(page.locator("article.card-call", has_text=name)).to_have_count(0)
    undo = page.locator("form.today-undo")
    expect(undo).to_contain_text(f"not interested for {name}")
    page.screenshot(path=str(artifacts / "today-undo-390x844.png"), full_page=False)
    undo.get_by_role("button", name="Undo").click()
    expect(page.locator("#today-status")).to_contain_text("undone")
    expect(page.locator("article.card-call", has_text=name)).to_have_count(1)

    assert contact_link
    page.goto(base + contact_link)
    log = page.locator("#card-log")
    log.get_by_label("What happened").select_option(label="They called me back")
    log.get_by_label("Note (optional)").fill("He called back about the catalogue")
    log.get_by_role("button", name="Log it").click()
    expect(page.locator("#card-log")).to_contain_text("Logged: they called me back.")
    expect(page.locator("#timeline")).to_contain_text("He called back about the catalogue")
    expect(page.locator("#card-enroll")).not_to_contain_text(re.compile(r"Now in"))

    page.goto(f"{base}/")
    callback = page.locator("article.card-callback", has_text=name)
    expect(callback).to_have_count(1)
    expect(callback).to_contain_text("He called back about the catalogue")
    context.close()
