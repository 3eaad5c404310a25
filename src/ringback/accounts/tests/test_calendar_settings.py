"""Settings → Calendar (issue 12): the feed is off until the seller turns it on; then the page
gives its secret URL, a webcal:// link and a QR code, says how to subscribe on a phone, and offers
a new secret URL (the old one stops at once, as the page warns) or turning it off. The secret is
random, long and URL-safe, and the services keep one per account."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ringback.accounts.calendar import qr_data_uri
from ringback.accounts.models import Account
from ringback.accounts.selectors import account_for_calendar_token
from ringback.accounts.services import account_calendar_off, account_calendar_on, account_calendar_reset
from ringback.core.errors import NotFound

pytestmark = pytest.mark.django_db
SETTINGS = "/settings/"
ACTION = "/settings/calendar/"


def page(client: Client, **extra: object) -> str:
    response = client.get(SETTINGS, **extra)  # type: ignore[arg-type]
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def card(text: str) -> str:
    """The Calendar card of the settings page."""
    found = re.search(r'<article id="calendar".*?</article>', text, re.S)
    assert found, "the settings page has no Calendar card"
    return found.group(0)


def token_of(account: Account) -> str | None:
    account.refresh_from_db()
    return account.calendar_token


def feed_status(token: str) -> int:
    return Client().get(f"/calendar/{token}.ics").status_code


def press(client: Client, action: str) -> Any:
    return client.post(ACTION, {"action": action})


# --- the services -------------------------------------------------------------------------------


def test_the_secret_is_random_long_and_url_safe(account: Account) -> None:
    secrets = {account_calendar_reset(account=account) for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)  # 32 random bytes: 256 bits


def test_turning_on_twice_keeps_the_secret_and_a_reset_replaces_it(account: Account) -> None:
    assert account.calendar_token is None
    first = account_calendar_on(account=account)
    assert account_calendar_on(account=account) == first == token_of(account)
    assert account_for_calendar_token(token=first) == account
    second = account_calendar_reset(account=account)
    assert second != first and token_of(account) == second
    with pytest.raises(NotFound):
        account_for_calendar_token(token=first)
    assert account_calendar_off(account=account) is True
    assert account_calendar_off(account=account) is False
    with pytest.raises(NotFound):
        account_for_calendar_token(token=second)


def test_two_accounts_never_share_a_secret(account: Account, other_account: Account) -> None:
    mine, theirs = account_calendar_on(account=account), account_calendar_on(account=other_account)
    assert mine != theirs
    assert account_for_calendar_token(token=theirs) == other_account


# --- the page -----------------------------------------------------------------------------------


def test_off_the_card_explains_and_offers_to_turn_it_on(seller: Client) -> None:
    text = page(seller)
    assert '<a href="#calendar">Calendar</a>' in text
    shown = card(text)
    assert "The calendar feed is off" in shown
    assert "Turn on" in shown
    assert 'name="action" value="on"' in shown and "csrfmiddlewaretoken" in shown
    assert "/calendar/" not in shown.replace(f'action="{ACTION}"', "")


def test_turning_it_on_shows_the_url_the_webcal_link_and_the_qr_code(
    seller: Client, account: Account
) -> None:
    response = press(seller, "on")
    assert response.status_code == 302 and response["Location"] == "/settings/#calendar"
    token = token_of(account)
    assert token is not None
    text = page(seller)
    assert "Your calendar feed is on" in text
    shown = card(text)
    url = f"http://testserver/calendar/{token}.ics"
    assert f'value="{url}"' in shown
    assert f'href="webcal://testserver/calendar/{token}.ics"' in shown
    assert f'src="{qr_data_uri(f"webcal://testserver/calendar/{token}.ics")}"' in shown
    assert 'src="data:image/svg+xml' in shown  # allowed by the CSP's img-src data:
    for words in ("Google Calendar", "iPhone", "From URL", "Add Subscribed Calendar", "keep it to yourself"):
        assert words in shown
    assert "stops working at once" in shown and "New secret URL" in shown
    assert feed_status(token) == 200


def test_over_https_the_url_is_https_and_over_http_the_card_warns(seller: Client, account: Account) -> None:
    token = account_calendar_on(account=account)
    secure = card(page(seller, secure=True))
    assert f'value="https://testserver/calendar/{token}.ics"' in secure
    assert "starts with http, not https" not in secure
    assert "starts with http, not https" in card(page(seller))


def test_a_new_secret_url_stops_the_old_one_at_once(seller: Client, account: Account) -> None:
    old = account_calendar_on(account=account)
    assert press(seller, "new").status_code == 302
    new = token_of(account)
    assert new and new != old
    assert (feed_status(old), feed_status(new)) == (404, 200)
    text = page(seller)
    assert "New secret URL made: the old one stopped working." in text
    assert old not in text and f"/calendar/{new}.ics" in card(text)


def test_turning_it_off_stops_the_url(seller: Client, account: Account) -> None:
    old = account_calendar_on(account=account)
    assert press(seller, "off").status_code == 302
    assert token_of(account) is None
    assert feed_status(old) == 404
    text = page(seller)
    assert "Your calendar feed is off: its URL stopped working." in text
    assert "The calendar feed is off" in card(text)


def test_an_unknown_button_changes_nothing(seller: Client, account: Account) -> None:
    token = account_calendar_on(account=account)
    response = press(seller, "explode")
    assert response.status_code == 400
    assert "nothing was changed" in response.content.decode()
    assert token_of(account) == token


def test_only_a_signed_in_post_with_csrf_changes_it(account: Account, seller: Client) -> None:
    assert seller.get(ACTION).status_code == 405
    anonymous = Client().post(ACTION, {"action": "on"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(account.memberships.get().user)
    assert strict.post(ACTION, {"action": "on"}).status_code == 403
    assert token_of(account) is None


def test_a_double_tapped_new_secret_url_makes_one(seller: Client, account: Account) -> None:
    account_calendar_on(account=account)
    tapped = re.search(
        r'name="submission_token" value="([^"]+)">\s*<input type="hidden" name="action" value="new">',
        page(seller),
    )
    assert tapped, "the New secret URL form carries no submission token"
    body = {"action": "new", "submission_token": tapped.group(1)}
    first = seller.post(ACTION, body)
    made = token_of(account)
    second = seller.post(ACTION, body)
    assert (first.status_code, second.status_code) == (302, 302)
    assert token_of(account) == made


def test_the_url_follows_the_host_the_seller_reached(seller: Client, account: Account, settings: Any) -> None:
    token = account_calendar_on(account=account)
    settings.ALLOWED_HOSTS = ["ringback.example.com"]
    shown = card(page(seller, HTTP_HOST="ringback.example.com", secure=True))
    assert f'value="https://ringback.example.com/calendar/{token}.ics"' in shown
    assert reverse("calendar_feed", kwargs={"token": token}) == f"/calendar/{token}.ics"
