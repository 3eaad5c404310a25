"""The message library's editor on a phone-sized screen (issue 12): the live preview fills the
words in for the sample and then for one of the seller's contacts, the checks teach as the seller
types (a self-centred phrase is named with its rule), an unknown fill-in is refused with its line,
and saving makes the next version. Nothing is wider than the screen; no script error or
Content-Security-Policy violation on the way.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.demo.builder import demo_load
from ringback.messaging.models import MessageVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tuesday 1 December 2026, 08:30 in Chicago (the demo seller's zone).
NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def demo():
    clock.set_now(NOW)
    try:
        yield demo_load(contacts=30)
    finally:
        clock.set_now(None)


def test_editing_a_voicemail_on_a_phone_with_the_live_preview(chromium, live_server, demo, artifacts):
    from playwright.sync_api import expect

    base = live_server.url
    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    context.add_init_script(LISTEN)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "ringback-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/library/")
    page.get_by_role("link", name="The gracious last message — yes or no").first.click()
    page.wait_for_url(f"{base}/library/yes-or-no/")
    preview = page.locator("#message-preview")
    expect(preview).to_contain_text("As Mary Smith (a sample contact) would hear it")
    expect(preview).to_contain_text("Hi Mary,")
    expect(preview).to_contain_text("It passes every check.")

    # One of the seller's own contacts: their first name in the words.
    someone = Contact.objects.filter(account_id=demo.account_id).order_by("last_name", "first_name", "pk")[0]
    page.select_option("#id_contact", str(someone.pk))
    expect(preview).to_contain_text(f"As {someone.name} would hear it")
    expect(preview).to_contain_text(f"Hi {someone.first_name or someone.name},")

    body = page.locator("#id_body")
    original = body.input_value()
    body.fill("I'm calling to introduce myself. " + original)
    expect(preview).to_contain_text("“introduce myself” is about you, not them")
    body.fill(original + "\n{{ contact.nickname }}")
    line = len((original + "\n{{ contact.nickname }}").splitlines())
    expect(preview.get_by_role("alert")).to_contain_text(
        f"Line {line}: {{{{ contact.nickname }}}} does not exist"
    )
    page.screenshot(path=str(artifacts / "library-editor-390x844.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Saving an unknown fill-in is refused; the fixed words make version 2.
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_body_error")).to_contain_text("nickname")
    assert not MessageVersion.objects.filter(message__name="yes-or-no", number=2).exists()
    page.locator("#id_body").fill(
        original.replace("Either answer is perfectly fine.", "Either answer is fine.")
    )
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Version 2 saved. Touches already made keep the words they used.")
    ).to_be_visible()
    saved = MessageVersion.objects.get(
        message__account_id=demo.account_id, message__name="yes-or-no", number=2
    )
    assert "Either answer is fine." in saved.body

    assert page.evaluate("window.__violations") == []
    assert errors == []
    context.close()
