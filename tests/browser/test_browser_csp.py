"""The Content-Security-Policy in a real browser: no violation on the main pages, and HTMX still works.

Chromium reports every refused script, style, image or connection as a ``securitypolicyviolation``
event and a console error. The test listens for both (and for uncaught page errors) on the sign-in
page, Today, Contacts, a contact, Playbooks, a playbook and its preview, Appointments, Settings and
Import, and while it uses the HTMX parts: search as you type, logging a call on Today, the
appointment time hint, a playbook preview and removing a vacation.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.demo.builder import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tuesday 1 December 2026, 08:30 in Chicago (the demo seller's zone): a working day.
NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def demo():
    clock.set_now(NOW)
    try:
        yield demo_load(contacts=40)
    finally:
        clock.set_now(None)


class Watch:
    """What went wrong in the page: CSP violations, console errors and warnings, uncaught errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def on_console(self, message: Any) -> None:
        source = str((message.location or {}).get("url", ""))
        if message.type in ("error", "warning") and not source.endswith("/favicon.ico"):
            self.console.append(f"{message.type}: {message.text} ({source})")

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations || []")
        assert violations == [], f"{where}: {violations}"
        assert self.console == [], f"{where}: {self.console}"

    def visit(self, url: str, heading: str | re.Pattern[str]) -> None:
        from playwright.sync_api import expect

        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(heading)
        self.page.wait_for_load_state("load")
        self.check(url)


def test_main_pages_and_htmx_under_the_policy(chromium, live_server, demo):
    from playwright.sync_api import expect

    base = live_server.url
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    watch = Watch(page)

    watch.visit(f"{base}/login/", "Sign in")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "ringback-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    watch.check("sign in")
    config = page.evaluate("[htmx.config.includeIndicatorStyles, htmx.config.allowEval]")
    assert config == [False, False]

    # Today: log a voicemail; the card leaves without a reload.
    watch.visit(f"{base}/", "Today")
    first = page.locator("article.card-call").first
    name = first.locator("[id$='-name']").inner_text().strip()
    first.get_by_role("button", name="Voicemail").click()
    expect(page.locator("article.card-call").first.locator("[id$='-name']")).not_to_have_text(name)
    watch.check("Today, after logging a voicemail")

    # Contacts: search as you type replaces the results.
    watch.visit(f"{base}/contacts/", "Contacts")
    someone = Contact.objects.filter(account_id=demo.account_id).order_by("last_name").first()
    assert someone is not None
    page.get_by_label("Search contacts").press_sequentially(someone.last_name[:6], delay=30)
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator("#results")).to_contain_text(someone.last_name)
    watch.check("Contacts, after searching")

    # A contact: the appointment time hint comes from the server as you type.
    watch.visit(f"{base}/contacts/{someone.pk}/", someone.first_name)
    page.fill("input[name$='starts_at']", "2026-12-03T11:00")
    page.locator("input[name$='starts_at']").dispatch_event("change")
    expect(page.locator("#appt-equiv")).to_contain_text(re.compile(r"\d\d:\d\d|Same time zone"))
    watch.check("a contact, after the appointment hint")

    # Playbooks, one playbook, and its preview for a contact.
    watch.visit(f"{base}/playbooks/", "Playbooks")
    watch.visit(f"{base}/playbooks/call-mail-call/", "Call-Mail-Call")
    watch.visit(f"{base}/playbooks/call-mail-call/preview/", "Call-Mail-Call")
    page.get_by_label("Find a contact").press_sequentially(someone.last_name[:6], delay=30)
    expect(page.locator("#preview-contact optgroup")).to_have_attribute("label", re.compile("matching"))
    page.locator("#preview-contact").select_option(str(someone.pk))
    expect(page.locator("#pb-preview")).to_contain_text(someone.first_name)
    watch.check("a playbook preview for a contact")

    watch.visit(f"{base}/appointments/", "Appointments")
    watch.visit(f"{base}/contacts/import/", "Import")

    # Settings: remove the demo's vacation (an HTMX swap of the vacations card).
    watch.visit(f"{base}/settings/", "Settings")
    page.locator("#vacations").get_by_role("button", name=re.compile("^Remove the vacation")).first.click()
    expect(page.locator("#vacations")).to_contain_text("removed")
    watch.check("Settings, after removing a vacation")
    watch.visit(f"{base}/settings/webhooks/", "Webhooks")
    context.close()
