"""The voicemail timer on a call card (issue 12, R2), in a real browser on a phone-sized screen.

One tap starts a bar that fills over 40 seconds: the seconds show, the bar is grey before 20 s,
green from 20 to 40 s and red after; a second tap stops it and says how it went; a third starts
again from 0. Playwright's clock moves the page's time, so the test waits for nothing. The page
is watched for Content-Security-Policy violations and script errors meanwhile.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_voicemail_timer_fills_over_forty_seconds_with_the_band_marked(demo_phone, artifacts):
    from playwright.sync_api import expect

    page, base = demo_phone.page, demo_phone.base
    page.clock.install(time=demo_phone.now)
    page.goto(f"{base}/")  # Today again, with the page's clock in the test's hands
    page.clock.pause_at(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # time moves only when told

    card = page.locator("article.card-call").first
    timer = card.locator("[data-vm-timer]")
    toggle = timer.locator("[data-vm-timer-toggle]")  # its name changes as it is pressed
    expect(timer.get_by_role("button", name="Time my message")).to_be_visible()
    seconds = timer.get_by_role("timer")
    status = timer.locator("[data-vm-timer-status]")
    fill = timer.locator("[data-vm-timer-fill]")
    expect(seconds).to_have_text("0")
    expect(status).to_have_text("Aim for 20–40 seconds.")
    # The timer is no outcome: the keyboard's 1–7 still press the card's outcome buttons.
    assert toggle.get_attribute("data-action") is None

    toggle.tap()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("Stop timer")
    page.clock.run_for(5_000)
    expect(seconds).to_have_text("5")
    expect(status).to_have_text("Keep going: aim for 20–40 seconds.")
    expect(timer).not_to_have_class(re.compile(r"is-band|is-over"))
    assert fill.evaluate("el => el.style.width") == "12.5%"

    page.clock.run_for(16_000)
    expect(seconds).to_have_text("21")
    expect(timer).to_have_class(re.compile(r"\bis-band\b"))
    expect(status).to_have_text("In the band: 20–40 seconds.")
    assert fill.evaluate("el => el.style.width") == "52.5%"
    assert fill.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(46, 125, 79)"  # green
    timer.scroll_into_view_if_needed()
    page.screenshot(
        path=str(artifacts / "voicemail-timer-390x844.png"), full_page=False, animations="disabled"
    )

    page.clock.run_for(20_000)
    expect(seconds).to_have_text("41")
    expect(timer).to_have_class(re.compile(r"\bis-over\b"))
    expect(status).to_have_text("Over 40 seconds: wrap up with your number.")
    assert fill.evaluate("el => el.style.width") == "100%"
    assert fill.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(198, 40, 40)"  # red

    timer.get_by_role("button", name="Stop timer").tap()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_have_text("Time it again")
    expect(status).to_have_text("Stopped at 41 seconds, over 40: try it shorter.")
    page.clock.run_for(5_000)
    expect(seconds).to_have_text("41")  # stopped: the length stays shown

    timer.get_by_role("button", name="Time it again").tap()
    expect(seconds).to_have_text("0")
    expect(timer).not_to_have_class(re.compile(r"is-band|is-over"))
    page.clock.run_for(30_000)
    expect(seconds).to_have_text("30")
    # Another card's timer takes over: one timer runs at a time.
    other = page.locator("article.card-call").nth(1).locator("[data-vm-timer]")
    other.get_by_role("button", name="Time my message").tap()
    expect(status).to_have_text("Stopped at 30 seconds, right in the band.")
    page.clock.run_for(3_000)
    expect(seconds).to_have_text("30")
    expect(other.get_by_role("timer")).to_have_text("3")

    assert demo_phone.violations() == []
    assert demo_phone.errors == []
