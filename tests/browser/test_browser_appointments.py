"""Cancel an appointment from the Appointments page in a real browser (issue 11, #15).

Sign in to the demo → Appointments → the first appointment coming up shows the number to call →
"Cancel…" → "Cancel appointment" → the list is swapped in place: the message says so and the
appointment is marked cancelled, without its buttons. A screenshot at 390×844 goes to artifacts/.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ringback.activities.models import Appointment, Touch
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


def test_cancel_an_appointment(chromium, live_server, demo, artifacts):
    from playwright.sync_api import expect

    base = live_server.url
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "ringback-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.get_by_role("link", name="Appointments").first.click()
    page.wait_for_url(f"{base}/appointments/")
    row = page.locator("#upcoming-title ~ section li.appt-scheduled").first
    expect(row).to_be_visible()
    row_id = row.get_attribute("id")
    assert row_id and row_id.startswith("appt-")
    appointment = Appointment.objects.select_related("contact").get(pk=int(row_id.removeprefix("appt-")))
    name = appointment.contact.name
    expect(row.locator("a[href^='tel:']")).to_be_visible()

    row.locator("summary", has_text="Cancel").click()
    row.get_by_label(re.compile("Why")).fill("Moved to next month")
    row.get_by_role("button", name="Cancel appointment").click()

    expect(page.locator("#appointments-status")).to_contain_text(f"Cancelled the call with {name}")
    cancelled = page.locator(f"#{row_id}")
    expect(cancelled).to_have_class(re.compile(r"\bappt-cancelled\b"))
    expect(cancelled.locator(".badge-cancelled")).to_be_visible()
    expect(cancelled.get_by_role("button", name="Cancel appointment")).to_have_count(0)
    page.screenshot(path=str(artifacts / "appointments-cancelled-390x844.png"), full_page=False)

    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    note = Touch.objects.filter(contact=appointment.contact, outcome="note").order_by("-id").first()
    assert note is not None and note.note.startswith("Appointment cancelled:")
    assert note.note.endswith("— Moved to next month")
    context.close()
