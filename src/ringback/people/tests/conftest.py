"""What the contact view tests share: a frozen clock, a seller in New York, a signed-in client."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.core import clock

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


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


@pytest.fixture
def account() -> Account:
    return make_account()


@pytest.fixture
def client(account: Account) -> Client:
    return signed_in(account)
