"""What the API tests share: a frozen clock, a seller in New York, and an API client with a
read-write token of theirs."""

from typing import Any

import pytest

from ringback.accounts.models import Account
from ringback.testing.api import ApiClient, token_for
from ringback.testing.sellers import NOW, account, frozen_clock, make_account

__all__ = ["NOW", "account", "frozen_clock", "make_account"]


@pytest.fixture
def api(account: Account) -> ApiClient:
    """The API, as Sally's read-write token."""
    return ApiClient(token_for(account))


@pytest.fixture(autouse=True)
def tasks_at_once(settings: Any) -> None:
    """Background work (an import) runs at once, inside the request."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
