"""What the daily-loop tests share: Sally's account in New York, and her signed-in browser.

A test module that needs another account (another zone, other settings) defines its own
``account``; ``seller`` signs in whichever account the module uses.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from ringback.accounts.models import Account
from ringback.accounts.services import account_create


@pytest.fixture
def account(db: None) -> Account:
    return account_create(username="sally", password="a-long-password", time_zone="America/New_York")


@pytest.fixture
def seller(client: Any, account: Account) -> Any:
    client.force_login(get_user_model().objects.get(username="sally"))
    return client
