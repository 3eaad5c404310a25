"""What works, on a phone (issue 14): the Insights page shows its charts and tables within the
screen, a table downloads as CSV, and "what would it do to my week?" runs a simulation of one of
the seller's playbooks. No script error or Content-Security-Policy violation on the way."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_insights_and_a_simulation_on_a_phone(demo_phone, artifacts):
    from playwright.sync_api import expect

    page, base = demo_phone.page, demo_phone.base
    page.get_by_role("link", name="Insights").first.click()
    page.wait_for_url(f"{base}/insights/")
    expect(page.get_by_role("heading", name="What works", level=1)).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    # The charts are styled by the linked stylesheet (no inline style under the CSP): bars are
    # coloured, not the default black.
    fill = page.evaluate("getComputedStyle(document.querySelector('svg .bar')).fill")
    assert fill not in ("rgb(0, 0, 0)", "none"), fill
    assert page.locator("svg[role=img]").count() >= 3
    page.screenshot(path=str(artifacts / "insights-390x844.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A table's figures open below its chart; its CSV is a download of those rows.
    steps = page.locator("#table-step")
    steps.get_by_text("The figures").click()
    expect(steps.locator("table")).to_be_visible()
    with page.expect_download() as download:
        steps.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows and {row["table"] for row in rows} == {"step"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="What would a playbook do to my week?").click()
    page.select_option("select[name=playbook]", "steady-weekly")
    page.fill("#id_prospects", "200")
    page.fill("#id_days", "21")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_text("200 prospects, 21 days")).to_be_visible()
    expect(page.locator("table")).to_contain_text("conversations / week")
    expect(page.locator("table thead")).to_contain_text("steady-weekly")
    page.screenshot(path=str(artifacts / "simulate-390x844.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert demo_phone.errors == []
    assert demo_phone.violations() == []
