"""Keeping a promise from twenty places at once (issue 12): twenty tabs pressing Kept on the same
promise line, and twenty services at once, log one touch and one kept record; every other answer
says it was already kept. Never a duplicate, never a 500 (the one-to-one of ``PromiseKept`` backs
the lock)."""

from __future__ import annotations

import secrets
from datetime import date

import pytest

from ringback.accounts.models import Account
from ringback.activities.models import PromiseKept, Touch
from ringback.activities.services import AlreadyLogged, promise_kept_log
from ringback.contacts.models import Contact, Promise
from ringback.contacts.services import promise_add
from ringback.testing.racing import PARALLEL, at_once, tabs

pytestmark = pytest.mark.django_db(transaction=True)


def promised(account: Account, mary: Contact) -> Promise:
    return promise_add(
        account=account, contact=mary, text="the article on spring gardens", due_on=date(2026, 11, 23)
    )


def test_twenty_tabs_pressing_kept_log_it_once(account: Account, mary: Contact) -> None:
    promise = promised(account, mary)
    clients = tabs(account)
    fields = {"kind": "promise", "promise_id": str(promise.pk), "outcome": "done"}

    def press(index: int) -> str:
        sent = {**fields, "submission_token": secrets.token_urlsafe(18)}
        response = clients[index].post(f"/today/{mary.pk}/log/", sent, follow=True)
        assert response.status_code == 200
        return response.content.decode()

    pages = at_once(PARALLEL, press)
    assert sum("promise kept, logged." in page for page in pages) == 1
    assert sum("was already marked kept" in page for page in pages) == PARALLEL - 1
    assert Touch.objects.filter(contact=mary, step="promise").count() == 1
    assert PromiseKept.objects.filter(promise=promise).count() == 1


def test_twenty_keeps_at_once_through_the_service_log_one_touch(account: Account, mary: Contact) -> None:
    promise = promised(account, mary)

    def keep(index: int) -> str:
        try:
            promise_kept_log(account=account, contact=Contact.objects.get(pk=mary.pk), promise_id=promise.pk)
        except AlreadyLogged:
            return "refused"
        return "kept"

    results = at_once(PARALLEL, keep)
    assert sorted(results) == ["kept"] + ["refused"] * (PARALLEL - 1)
    assert Touch.objects.filter(contact=mary, step="promise").count() == 1
