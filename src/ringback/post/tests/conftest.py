"""Fixtures of the post tests: Sally on Monday 23 November 2026, 09:00 in New York, with cards due."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from ringback.core import clock
from ringback.testing.mail import NOW, MailDay, mail_day


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.fixture
def day(db: None) -> MailDay:
    """Sally and today's cards: four addressed, one with no address, one with half of one."""
    return mail_day()


@pytest.fixture
def seller(day: MailDay) -> Any:
    """Sally's browser, signed in, sending a real CSRF token with every POST."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(day.account.memberships.get().user)
    client.get("/settings/")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client
