"""Sign-in throttling (django-axes): per account and per address, with a page that says when.

Five failed sign-ins for one user name (from anywhere), or from one address (for any names), stop
sign-ins for that name or address for 15 minutes: even the right password is refused, with HTTP
429 and a page that says how long to wait. Attempts during the pause do not make it longer.
The pause ends 15 minutes after the last counted failure; the tests move the recorded failures
back in time instead of waiting. Every test starts unthrottled (the attempts live in the test
database, which each test gets fresh).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from pytest_django import Settings

from ringback.accounts.models import Account
from ringback.accounts.tests.conftest import PASSWORD, make_account

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response  # the test client's answer

pytestmark = pytest.mark.django_db

LIMIT = 5
HERE, THERE, ELSEWHERE = "203.0.113.7", "198.51.100.23", "192.0.2.99"


def sign_in(username: str, password: str, *, address: str = HERE, client: Client | None = None) -> Response:
    client = client or Client()
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def text(response: Response) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace("&#x27;", "'"))


def signed_in(response: Response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def locked(response: Response) -> bool:
    return response.status_code == 429 and "Too many failed sign-ins" in text(response)


def fail(username: str, times: int, *, address: str = HERE) -> list[int]:
    return [sign_in(username, f"wrong-guess-{n}", address=address).status_code for n in range(times)]


def age_failures(minutes: int) -> None:
    """Move every recorded failure ``minutes`` into the past (time passing, without the wait)."""
    from axes.models import AccessAttempt

    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_five_wrong_passwords_pause_the_account_everywhere(account: Account) -> None:
    make_account("bob", seller_name="Bob Other")
    assert fail("sally", LIMIT - 1) == [200] * (LIMIT - 1)
    # The fifth failure, from another address, counts for the same user name.
    assert locked(sign_in("sally", "wrong-again", address=THERE))

    # The right password is refused too, from this address and from any other.
    for address in (HERE, THERE, ELSEWHERE):
        refused = sign_in("sally", PASSWORD, address=address)
        assert locked(refused), address
        assert int(refused["Retry-After"]) > 0
    client = Client()
    sign_in("sally", PASSWORD, address=ELSEWHERE, client=client)
    assert client.get("/settings/").status_code == 302  # not signed in

    # Another account, from another address, is not affected.
    assert signed_in(sign_in("bob", PASSWORD, address=ELSEWHERE))


def test_the_pause_page_says_when_to_try_again(account: Account) -> None:
    fail("sally", LIMIT)
    page = sign_in("sally", PASSWORD)
    assert page.status_code == 429
    html = text(page)
    assert "<title>Too many failed sign-ins — Ringback</title>" in html
    assert "Try again in 15 minutes" in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d\d:\d\d UTC</time>', html)
    assert 'href="/password/reset/"' in html  # a reset link still works
    assert page["Retry-After"] == "900"

    age_failures(10)
    later = sign_in("sally", PASSWORD)
    assert locked(later) and "Try again in 5 minutes" in text(later)
    assert later["Retry-After"] == "300"


def test_attempts_during_the_pause_do_not_make_it_longer(account: Account) -> None:
    fail("sally", LIMIT)
    age_failures(14)
    assert fail("sally", 3) == [429] * 3
    assert "Try again in 1 minute" in text(sign_in("sally", PASSWORD))
    age_failures(2)
    assert signed_in(sign_in("sally", PASSWORD))


def test_the_pause_ends_after_fifteen_minutes(account: Account) -> None:
    fail("sally", LIMIT)
    age_failures(14)
    assert locked(sign_in("sally", PASSWORD))
    age_failures(2)
    assert signed_in(sign_in("sally", PASSWORD))


def test_one_address_trying_many_names_is_paused(account: Account) -> None:
    for name in ("bob", "carol", "dave", "erin"):
        assert fail(name, 1) == [200]
    assert fail("frank", 1) == [429]
    # Every name from that address is refused, even with its right password...
    assert locked(sign_in("sally", PASSWORD))
    # ...while the same name signs in from elsewhere.
    assert signed_in(sign_in("sally", PASSWORD, address=THERE))


def test_a_few_mistakes_do_not_lock_anyone_out(account: Account) -> None:
    assert fail("sally", LIMIT - 1) == [200] * (LIMIT - 1)
    assert signed_in(sign_in("sally", PASSWORD))


def test_a_made_up_forwarded_for_does_not_dodge_the_address_pause(account: Account) -> None:
    """Without a trusted proxy, X-Forwarded-For is whatever the client says: it is ignored."""
    for n, name in enumerate(("bob", "carol", "dave", "erin", "frank")):
        Client().post(
            "/login/",
            {"username": name, "password": "guess"},
            REMOTE_ADDR=HERE,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    assert locked(sign_in("sally", PASSWORD))


def test_behind_the_trusted_proxy_each_client_counts_apart(account: Account, settings: Settings) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = "127.0.0.1"

    def via_proxy(name: str, password: str, client_seen: str) -> Response:
        return Client().post(
            "/login/",
            {"username": name, "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_seen}",
        )

    for name in ("bob", "carol", "dave", "erin", "frank"):
        via_proxy(name, "guess", HERE)
    assert locked(via_proxy("sally", PASSWORD, HERE))
    # Another client behind the same proxy is not paused; the spoofable first entry is not used.
    assert signed_in(via_proxy("sally", PASSWORD, THERE))
