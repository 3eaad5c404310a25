"""`ringback serve` beyond this computer refuses while a login has the demo's published password.

On a loopback address (`make run`) the demo keeps working. On any other address, the server does
not start until that login's password is changed (`ringback password NAME`) or the demo is removed
(`ringback demo --remove`). The server itself is not started: ``waitress.serve`` records the call.
"""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ringback.accounts.models import Account
from ringback.accounts.passwords import DEMO_PASSWORD
from ringback.accounts.services import account_create

NOW = "2026-06-09T10:15:00-05:00"
GOOD = "correct-horse-battery"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[dict[str, Any]]:
    """The addresses a server was started on (none is)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("waitress.serve", lambda app, **kw: calls.append(kw))
    settings.RINGBACK_HTTPS = None  # what serve changes on loopback is undone after the test
    return calls


def set_password(username: str, password: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    call_command("password", username, "--password-stdin", stdout=io.StringIO())


def test_the_demo_is_served_on_loopback_but_not_beyond(ringback, served, monkeypatch) -> None:
    assert ringback("demo", "--contacts", "30", now=NOW).ok

    loopback = ringback("serve", "--host", "127.0.0.1", "--port", "8123", "--no-input")
    assert loopback.ok, loopback
    assert [call["host"] for call in served] == ["127.0.0.1"]

    for host in ("0.0.0.0", "192.168.1.20", "::"):
        refused = ringback("serve", "--host", host, "--port", "8123", "--no-input")
        assert refused.code == 1, refused
        message = " ".join(refused.err.split())
        assert f"Ringback will not serve on {host}" in message
        assert "the login demo still has the demo's published password (ringback-demo)" in message
        assert "anyone who can reach this address could sign in" in message
        assert "`ringback password demo`" in message and "`ringback demo --remove`" in message
    assert [call["host"] for call in served] == ["127.0.0.1"]

    set_password("demo", GOOD, monkeypatch)
    started = ringback("serve", "--host", "0.0.0.0", "--port", "8123", "--no-input")
    assert started.ok, started
    assert [call["host"] for call in served] == ["127.0.0.1", "0.0.0.0"]


def test_removing_the_demo_lets_the_server_start(ringback, served) -> None:
    assert ringback("demo", "--contacts", "30", now=NOW).ok
    account_create(username="sally", password=GOOD)
    assert ringback("serve", "--host", "0.0.0.0", "--no-input").code == 1

    removed = ringback("demo", "--remove")
    assert removed.ok, removed
    assert "Removed the demo account (user demo) and everything in it." in removed.out
    assert not get_user_model().objects.filter(username="demo").exists()
    assert list(Account.objects.values_list("name", flat=True)) == ["sally"]

    assert ringback("serve", "--host", "0.0.0.0", "--no-input").ok
    assert served[-1]["host"] == "0.0.0.0"

    again = ringback("demo", "--remove")
    assert again.ok and "There is no demo account: nothing was removed." in again.out


def test_any_login_with_the_published_password_is_named(ringback, served) -> None:
    # As an older version allowed: the validators now refuse this password to everybody.
    for name in ("sally", "bob"):
        user = account_create(username=name, password=None).memberships.get().user
        user.set_password(DEMO_PASSWORD)
        user.save()
    account_create(username="carol", password=GOOD)
    refused = ringback("serve", "--host", "0.0.0.0", "--no-input")
    assert refused.code == 1 and not served
    message = " ".join(refused.err.split())
    assert "the logins bob and sally still have the demo's published password (ringback-demo)" in message
    assert "`ringback password bob`" in message and "`ringback password sally`" in message
    assert "carol" not in message and "--remove" not in message
