"""Browser tests: Playwright for Python driving Debian's Chromium (no browser download).

The ``chromium`` fixture lives in tests/conftest.py (one browser for the whole run: the security
sweep uses it too). It skips with a message when Chromium is not installed, unless
RINGBACK_REQUIRE_BROWSER=1 (CI), which makes a missing browser a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ringback.core import clock
from ringback.demo.builder import demo_load

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


#: Collects the page's Content-Security-Policy violations in ``window.__violations``.
CSP_LISTENER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""

#: Tuesday 1 December 2026, 08:30 in Chicago (the demo seller's zone): a working day.
DEMO_NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)


@dataclass
class PhoneSession:
    """The demo seller signed in on a phone-sized page, with the script errors seen so far."""

    page: Any
    base: str
    account_id: int
    now: datetime = DEMO_NOW
    errors: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__violations"))


@pytest.fixture
def demo_phone(chromium: Any, live_server: Any) -> Iterator[PhoneSession]:
    """The 30-person demo at :data:`DEMO_NOW`, its seller signed in at 390×844 (touch)."""
    clock.set_now(DEMO_NOW)
    try:
        demo = demo_load(contacts=30)
        context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
        context.add_init_script(CSP_LISTENER)
        session = PhoneSession(page=context.new_page(), base=live_server.url, account_id=demo.account_id)
        page = session.page
        page.on("pageerror", lambda error: session.errors.append(str(error)))

        def on_console(message: Any) -> None:
            where = str((message.location or {}).get("url", ""))
            if message.type == "error" and not where.endswith("/favicon.ico"):
                session.errors.append(message.text)

        page.on("console", on_console)
        page.goto(f"{session.base}/login/")
        page.fill("#id_username", "demo")
        page.fill("#id_password", "ringback-demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{session.base}/")
        yield session
        context.close()
    finally:
        clock.set_now(None)
