"""A seller in New York and a signed-in browser for them: what the contact and people tests share."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.test import Client

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.core import clock

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York


def make_account(username: str = "sally") -> Account:
    return account_create(
        username=username,
        password="a-long-password",
        seller_name="Sally Baker",
        business_name="Sweet Home",
        time_zone="America/New_York",
    )


def signed_in(account: Account, client: Client | None = None) -> Client:
    client = client or Client()
    client.force_login(account.memberships.get().user)
    return client


# Fixtures for the conftest files that import them.


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """The clock stands at :data:`NOW` for the whole test."""
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account() -> Account:
    """Sally's account (New York)."""
    return make_account()


@pytest.fixture
def client(account: Account) -> Client:
    """A browser signed in as Sally."""
    return signed_in(account)
