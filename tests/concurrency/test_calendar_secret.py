"""The calendar feed's secret under parallel requests (issue 12): turning the feed on from twenty
places at once makes one secret that all of them get, and twenty new secret URLs at once leave
exactly one that works — the one stored — while every other answer's URL is a 404."""

from __future__ import annotations

import secrets

import pytest
from django.test import Client

from ringback.accounts.models import Account
from ringback.accounts.services import account_calendar_on, account_calendar_reset
from ringback.testing.racing import PARALLEL, at_once, tabs

pytestmark = pytest.mark.django_db(transaction=True)


def stored(account: Account) -> str | None:
    return Account.objects.values_list("calendar_token", flat=True).get(pk=account.pk)


def served(token: str) -> int:
    return Client().get(f"/calendar/{token}.ics").status_code


def test_turning_the_feed_on_twenty_times_at_once_makes_one_secret(account: Account) -> None:
    tokens = at_once(PARALLEL, lambda i: account_calendar_on(account=Account.objects.get(pk=account.pk)))
    assert len(set(tokens)) == 1
    assert tokens[0] == stored(account)
    assert served(tokens[0]) == 200


def test_twenty_new_secrets_at_once_leave_exactly_one_that_works(account: Account) -> None:
    first = account_calendar_on(account=account)
    tokens = at_once(PARALLEL, lambda i: account_calendar_reset(account=Account.objects.get(pk=account.pk)))
    assert len(set(tokens)) == PARALLEL
    kept = stored(account)
    assert kept in tokens
    working = [t for t in [first, *tokens] if served(t) == 200]
    assert working == [kept]


def test_twenty_tabs_asking_for_a_new_secret_url_leave_one(account: Account) -> None:
    first = account_calendar_on(account=account)
    clients = tabs(account)

    def press(index: int) -> int:
        body = {"action": "new", "submission_token": secrets.token_urlsafe(18)}
        return clients[index].post("/settings/calendar/", body).status_code

    assert set(at_once(PARALLEL, press)) == {302}
    kept = stored(account)
    assert kept is not None and kept != first
    assert (served(first), served(kept)) == (404, 200)
