"""The message library's editor on a phone-sized screen (issue 12): the live preview fills the
words in for the sample and then for one of the seller's contacts, the checks teach as the seller
types (a self-centred phrase is named with its rule), an unknown fill-in is refused with its line,
and saving makes the next version. Nothing is wider than the screen; no script error or
Content-Security-Policy violation on the way.
"""

from __future__ import annotations

import pytest

from ringback.contacts.models import Contact
from ringback.messaging.models import MessageVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editing_a_voicemail_on_a_phone_with_the_live_preview(demo_phone, artifacts):
    from playwright.sync_api import expect

    page, base = demo_phone.page, demo_phone.base
    page.goto(f"{base}/library/")
    page.get_by_role("link", name="The gracious last message — yes or no").first.click()
    page.wait_for_url(f"{base}/library/yes-or-no/")
    preview = page.locator("#message-preview")
    expect(preview).to_contain_text("As Mary Smith (a sample contact) would hear it")
    expect(preview).to_contain_text("Hi Mary,")
    expect(preview).to_contain_text("It passes every check.")

    # One of the seller's own contacts: their first name in the words.
    someone = Contact.objects.filter(account_id=demo_phone.account_id).order_by(
        "last_name", "first_name", "pk"
    )[0]
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
        message__account_id=demo_phone.account_id, message__name="yes-or-no", number=2
    )
    assert "Either answer is fine." in saved.body

    assert demo_phone.violations() == []
    # The refused save answers 400 (the form again, with its error), which the console notes.
    assert [e for e in demo_phone.errors if "status of 400" not in e] == []


def test_a_late_preview_never_overwrites_a_newer_one(demo_phone):
    """The editor asks for a preview when it opens and again at each change; on a slow line the
    first answer can arrive after the second. Only the newest request may fill the pane."""
    from playwright.sync_api import Route, expect

    page, base = demo_phone.page, demo_phone.base
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if not held:
            held.append(route)  # the preview asked for when the page opened: answered last
        else:
            route.continue_()

    page.route("**/library/preview/", hold_the_first)
    page.goto(f"{base}/library/yes-or-no/")
    preview = page.locator("#message-preview")
    for _ in range(50):  # the page's own request for its first preview reaches the route
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    someone = Contact.objects.filter(account_id=demo_phone.account_id).order_by(
        "last_name", "first_name", "pk"
    )[0]
    page.select_option("#id_contact", str(someone.pk))
    page.wait_for_timeout(500)  # the newer request is answered (or waits its turn)
    held[0].continue_()  # the first answer arrives last
    page.wait_for_timeout(1000)
    expect(preview).to_contain_text(f"As {someone.name} would hear it")
    assert demo_phone.errors == [], demo_phone.errors
