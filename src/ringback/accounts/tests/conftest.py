"""Fixtures of the accounts tests: a seller signed in at a fixed moment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.core import clock

NEW_YORK = ZoneInfo("America/New_York")
#: Monday 23 November 2026, 09:00 in New York.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK).astimezone(UTC)
PASSWORD = "a-long-password-1"


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[datetime]:
    """Every test runs at NOW, and leaves the clock running."""
    clock.set_now(NOW)
    yield NOW
    clock.set_now(None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hash passwords quickly: these tests sign in and change passwords often."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_account(username: str = "sally", **kwargs: Any) -> Account:
    fields: dict[str, Any] = {
        "seller_name": "Sally Carter",
        "business_name": "Carter Insurance",
        "time_zone": "America/New_York",
        **kwargs,
    }
    return account_create(username=username, password=PASSWORD, **fields)


@pytest.fixture
def account(db: None) -> Account:
    return make_account()


@pytest.fixture
def seller(account: Account) -> Client:
    """A browser signed in as the owner of ``account``."""
    client = Client()
    client.force_login(account.memberships.get().user)
    return client


@pytest.fixture
def other_account(db: None) -> Account:
    return make_account("bob", seller_name="Bob Other")


@pytest.fixture
def other(other_account: Account) -> Client:
    client = Client()
    client.force_login(other_account.memberships.get().user)
    return client
