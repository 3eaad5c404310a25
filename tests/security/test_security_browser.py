"""The payload corpus in a real browser (Debian's Chromium through Playwright).

A seller's contacts, notes, promise, appointment, tags, address, profile and playbook hold the
corpus's HTML payloads. Each page that shows them is loaded once: no dialog may open (every
payload calls ``alert``), no element the payloads would inject may exist (an inline script, an
``on…`` attribute, ``<img src=x>``, ``<svg>``, a ``javascript:`` link), and each value must read
as typed. A handful of page loads keeps it fast.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from security_payloads import KEPT, Payload, playbook_yaml
from security_world import make_account

from ringback.accounts.services import account_update
from ringback.activities.services import appointment_book, touch_note
from ringback.contacts.services import AddressInput, PhoneInput, address_set, contact_create, promise_add
from ringback.playbooks.services import enrollment_start, playbook_duplicate, playbook_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: What a page must not hold once it is loaded: every way the payloads would have run.
INJECTED = """() => {
  const handlers = [...document.querySelectorAll('*')].filter(
    (e) => [...e.attributes].some((a) => a.name.toLowerCase().startsWith('on')));
  const links = [...document.querySelectorAll('[href], [action], [formaction], [src]')].filter((e) =>
    ['href', 'action', 'formaction', 'src'].some(
      (n) => /^\\s*javascript:/i.test(e.getAttribute(n) || '')));
  return {
    handlers: handlers.map((e) => e.outerHTML.slice(0, 120)),
    scripts: [...document.querySelectorAll('script:not([src])')].map((e) => e.outerHTML.slice(0, 120)),
    images: document.querySelectorAll('img[src="x"], svg[onload]').length,
    links: links.map((e) => e.outerHTML.slice(0, 120)),
  };
}"""

_BY_KEY = {p.key: p for p in KEPT}


def _p(key: str) -> str:
    return _BY_KEY[key].text


def _seller_data() -> dict[str, Any]:
    """A seller whose every shown value is an HTML payload; what each page must read."""
    account = make_account("sally", "Sally Seller")
    account_update(
        account=account,
        seller_name=_p("attr-double"),
        business_name=_p("attr-single"),
        postal_address=_p("textarea"),
    )
    first = contact_create(
        account=account,
        first_name=_p("script"),
        last_name=_p("img-onerror"),
        company=_p("svg-single-quote"),
        title=_p("attr-double"),
        notes=_p("textarea"),
        tags=[_p("attr-backtick"), _p("title")],
        phones=[PhoneInput("212 555 0100")],
    )
    address_set(
        account=account,
        contact=first,
        address=AddressInput(
            street=_p("attr-single"), city=_p("javascript-url"), region="NY", postal_code="10001"
        ),
    )
    touch_note(account=account, contact=first, text=_p("img-onerror"))
    promise_add(account=account, contact=first, text=_p("svg-single-quote"))
    second = contact_create(
        account=account,
        first_name=_p("attr-single"),
        last_name=_p("textarea"),
        company=_p("javascript-url"),
        phones=[PhoneInput("212 555 0101")],
    )
    appointment_book(
        account=account,
        contact=second,
        starts_at=datetime(2026, 11, 23, 20, 0, tzinfo=UTC),
        note=_p("script"),
    )
    playbook_duplicate(account=account, name="four-calls-two-weeks", new_name="my-chase", title="My chase")
    playbook_update(account=account, name="my-chase", text=playbook_yaml(_BY_KEY["img-onerror"]))
    enrollment_start(account=account, contact=first, playbook="four-calls-two-weeks")
    return {"account": account, "first": first.pk, "second": second.pk}


def test_no_payload_runs_in_a_browser(
    chromium: Any, live_server: Any, client: Any, record_property: Any
) -> None:
    data = _seller_data()
    client.force_login(data["account"].memberships.get().user)
    base = live_server.url
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = context.new_page()
    dialogs: list[str] = []

    def dialog(d: Any) -> None:
        dialogs.append(f"{page.url}: {d.type} {d.message!r}")
        d.dismiss()

    page.on("dialog", dialog)
    first, second = data["first"], data["second"]
    # Each page, and a value it must show as typed (read back from the page's text).
    pages: list[tuple[str, str, Payload]] = [
        ("/", "article[data-card] h2", _BY_KEY["script"]),
        (f"/contacts/{first}/", "h1", _BY_KEY["img-onerror"]),
        (f"/contacts/{first}/edit/", "textarea[name='notes']", _BY_KEY["textarea"]),
        (f"/contacts/{second}/", "h1", _BY_KEY["textarea"]),
        ("/contacts/", "main", _BY_KEY["svg-single-quote"]),
        ("/appointments/", "main", _BY_KEY["attr-single"]),
        ("/settings/", "input[name='seller_name']", _BY_KEY["attr-double"]),
        ("/playbooks/my-chase/", "h1", _BY_KEY["img-onerror"]),
        ("/playbooks/my-chase/edit/", "textarea[name='source']", _BY_KEY["img-onerror"]),
    ]
    problems: list[str] = []
    for path, selector, payload in pages:
        page.goto(base + path)
        page.wait_for_load_state("load")
        found = page.evaluate(INJECTED)
        for kind, items in found.items():
            if items:
                problems.append(f"{path}: injected {kind}: {items}")
        target = page.locator(selector).first
        shown = target.input_value() if selector.startswith(("input", "textarea")) else target.inner_text()
        if payload.stripped not in shown:
            problems.append(f"{path}: {selector} reads {shown[:120]!r}, not {payload.key} as typed")
    context.close()
    record_property("page loads", len(pages))
    assert not dialogs, f"a payload opened a dialog: {dialogs}"
    assert not problems, "\n".join(problems)
