"""Settings → Calendar in a real browser on a phone-sized screen (issue 12).

Sign in → Settings → Calendar → "Turn on": the secret URL, the "Subscribe on this device"
(webcal://) link and the QR code appear, under the strict Content-Security-Policy (the QR code is
a ``data:`` image: no violation); "Copy the URL" puts it on the clipboard; the URL serves the
feed. "New secret URL" (behind its warning) replaces it and the old URL is a 404 at once. A
screenshot at 390×844 goes to artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.activities.services import appointment_book
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Monday 23 November 2026, 09:00 in New York.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PASSWORD = "a-long-password-1"

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def seller():
    clock.set_now(NOW)
    try:
        account = account_create(username="sally", password=PASSWORD, seller_name="Sally Baker")
        lou = contact_create(
            account=account, first_name="Lou", last_name="Reyes", phones=[PhoneInput("310-555-0123")]
        )
        appointment_book(account=account, contact=lou, starts_at=datetime(2026, 11, 24, 18, 0, tzinfo=UTC))
        yield account
    finally:
        clock.set_now(None)


def test_turn_the_feed_on_subscribe_copy_and_make_a_new_url(chromium, live_server, seller, artifacts):
    from playwright.sync_api import expect

    base = live_server.url
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    context.add_init_script(LISTEN)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/login/")
    page.fill("#id_username", "sally")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/settings/#calendar")
    card = page.locator("#calendar")
    expect(card).to_contain_text("The calendar feed is off")
    card.get_by_role("button", name="Turn on").click()
    page.wait_for_url(f"{base}/settings/#calendar")
    expect(page.get_by_text("Your calendar feed is on")).to_be_visible()

    field = card.get_by_label("Your calendar's secret URL")
    url = field.input_value()
    assert re.fullmatch(rf"{re.escape(base)}/calendar/[A-Za-z0-9_-]{{43}}\.ics", url), url
    subscribe = card.get_by_role("button", name="Subscribe on this device")  # a link drawn as a button
    assert subscribe.get_attribute("href") == "webcal://" + url.split("://", 1)[1]
    qr = card.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not load"

    copy = card.locator("[data-copy]")  # by its text it would stop matching once it says Copied
    expect(copy).to_have_text("Copy the URL")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "wider than the phone"
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "settings-calendar-390x844.png"), full_page=False)

    feed = page.request.get(url)
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:Call Lou Reyes (phone appointment)" in feed.text()

    card.locator("summary", has_text="New secret URL").click()
    expect(card.get_by_text("The current URL stops working at once")).to_be_visible()
    card.get_by_role("button", name="New secret URL").click()
    page.wait_for_url(f"{base}/settings/#calendar")
    expect(page.get_by_text("New secret URL made: the old one stopped working.")).to_be_visible()
    new = page.locator("#calendar").get_by_label("Your calendar's secret URL").input_value()
    assert new != url
    assert page.request.get(url).status == 404
    assert page.request.get(new).status == 200
    assert Account.objects.get(pk=seller.pk).calendar_token in new

    assert page.evaluate("window.__violations") == []
    assert errors == []
    context.close()
