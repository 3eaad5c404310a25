"""Response headers: a strict Content-Security-Policy everywhere, and signed-in pages kept out of caches.

The browser half (no violation on the main pages, HTMX still working) is tests/browser/test_browser_csp.py.
"""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponseBase
from django.test import Client

from ringback.accounts.models import Account
from ringback.contacts.services import PhoneInput, contact_create

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def policy(response: HttpResponseBase) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def pages(account: Account) -> list[str]:
    contact = contact_create(
        account=account, first_name="Mary", last_name="Lopez", phones=[PhoneInput("312-555-0142")]
    )
    return [
        "/",
        "/contacts/",
        f"/contacts/{contact.pk}/",
        "/contacts/import/",
        "/playbooks/",
        "/playbooks/call-mail-call/",
        "/playbooks/call-mail-call/preview/",
        "/appointments/",
        "/settings/",
        "/password/change/",
    ]


def test_every_page_has_a_strict_content_security_policy(seller: Client, account: Account) -> None:
    for url in [*pages(account), "/no-such-page/"]:
        response = seller.get(url)
        assert response.status_code in (200, 404), url
        directives = policy(response)
        for name, values in STRICT.items():
            assert directives.get(name) == values, (url, name, directives.get(name))
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header, url
    anonymous = Client().get("/login/")
    assert policy(anonymous)["script-src"] == ["'self'"]


def test_pages_have_no_inline_script_or_style(seller: Client, account: Account) -> None:
    for url in [*pages(account), "/login/"]:
        client = seller if url != "/login/" else Client()
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers
        # htmx would add its indicator styles inline: the page tells it not to (they are in app.css).
        assert (
            '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,"allowEval":false}\'>' in html
        )


def test_signed_in_pages_are_private_and_not_stored(seller: Client, account: Account) -> None:
    for url in pages(account):
        response = seller.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (url, response["Cache-Control"])
    partial = seller.get("/contacts/", {"q": "mary"}, HTTP_HX_REQUEST="true")
    assert "no-store" in partial["Cache-Control"]
    download = seller.get("/contacts/export.csv")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    redirect = seller.post("/settings/vacations/", {"first_day": "2026-12-24", "last_day": "2026-12-26"})
    assert redirect.status_code == 302 and "no-store" in redirect["Cache-Control"]


def test_static_files_keep_their_caching(client: Client, seller: Client) -> None:
    for c in (client, seller):
        css = c.get("/static/ringback/app.css")
        assert css.status_code == 200
        assert "no-store" not in css.get("Cache-Control", "")
