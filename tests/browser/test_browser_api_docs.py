"""The API's docs page in a real browser, under the site's Content-Security-Policy: Swagger UI
loads from Ringback's own static files, lists the operations, and nothing is refused."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


def test_the_docs_page_shows_every_operation_under_the_policy(chromium, live_server) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Ringback API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/contacts" in p for p in paths) and any("/api/v1/agenda" in p for p in paths)
    assert page.evaluate("window.__violations") == []
    assert errors == []
    context.close()
