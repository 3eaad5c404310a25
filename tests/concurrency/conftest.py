"""Fixtures of the double-submit tests: a seller in New York and Mary in Chicago, committed.

These tests commit for real (``transaction=True``): each thread has its own database connection,
as each request of a server or each ``ringback`` process has. On SQLite the test database is a
file (see the root ``conftest.py``), on PostgreSQL the test database of the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock

#: Monday 23 November 2026, 09:00 in New York (the seller), 08:00 in Chicago (Mary).
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """One clock for every thread (it is process-wide)."""
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account(transactional_db: None) -> Account:
    return account_create(
        username="sally",
        password=None,
        seller_name="Sally Baker",
        business_name="Sweet Home",
        time_zone="America/New_York",
    )


@pytest.fixture
def mary(account: Account) -> Contact:
    """Mary lives in Chicago (a 312 number)."""
    return contact_create(
        account=account, first_name="Mary", last_name="Smith", phones=[PhoneInput("(312) 555-0123")]
    )
