"""``Idempotency-Key``: a POST is performed once per key; a retry gets the first answer."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.api.idempotency import idempotency_keys_purge
from ringback.api.models import IdempotentRequest
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.testing.api import ApiClient, token_for
from ringback.testing.racing import PARALLEL, at_once

ANN = {"first_name": "Ann", "last_name": "Lee", "phones": [{"number": "212-555-0142"}]}


def _key() -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}


@pytest.mark.django_db
def test_a_retry_gets_the_first_answer_and_nothing_is_done_twice(api: ApiClient, account: Account) -> None:
    key = _key()
    first = api.post("/contacts", ANN, **key)
    again = api.post("/contacts", ANN, **key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Contact.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_without_a_key_a_post_is_made_each_time(api: ApiClient) -> None:
    assert api.post("/contacts", {"first_name": "Ann"}).status_code == 201
    assert api.post("/contacts", {"first_name": "Ann"}).status_code == 201
    assert len(api.get("/contacts").json()["items"]) == 2


@pytest.mark.django_db
def test_an_error_is_replayed_too_and_changes_nothing(api: ApiClient, account: Account) -> None:
    assert api.post("/contacts", ANN).status_code == 201
    key = _key()
    first = api.post("/contacts", {**ANN, "first_name": "Anne"}, **key)
    assert first.status_code == 409
    assert api.post("/contacts", {**ANN, "first_name": "Anne"}, **key).json() == first.json()
    assert Contact.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_the_same_key_for_another_request_is_refused(api: ApiClient, account: Account) -> None:
    key = _key()
    assert api.post("/contacts", ANN, **key).status_code == 201
    response = api.post("/contacts", {**ANN, "first_name": "Bob", "phones": []}, **key)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("idempotency_key_reused", "Idempotency-Key")
    assert Contact.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_keys_are_the_accounts_own(api: ApiClient) -> None:
    other = account_create(username="olga", password=None, seller_name="Olga", time_zone="Europe/Paris")
    key = _key()
    assert api.post("/contacts", ANN, **key).status_code == 201
    theirs = ApiClient(token_for(other)).post("/contacts", ANN, **key)
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Contact.objects.filter(account=other).count() == 1


@pytest.mark.django_db
def test_a_key_is_kept_a_day(api: ApiClient, account: Account) -> None:
    key = _key()
    assert api.post("/contacts", {"first_name": "Ann"}, **key).status_code == 201
    with clock.frozen(clock.now() + timedelta(hours=25)):
        again = api.post("/contacts", {"first_name": "Ann"}, **key)
        assert again.status_code == 201 and "Idempotent-Replayed" not in again
        assert idempotency_keys_purge(now=clock.now() + timedelta(hours=25)) == 1
    assert Contact.objects.filter(account=account).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["", "x" * 256, "clé"])
def test_a_malformed_key_is_refused(api: ApiClient, account: Account, bad: str) -> None:
    response = api.post("/contacts", ANN, HTTP_IDEMPOTENCY_KEY=bad)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert not Contact.objects.filter(account=account).exists()


@pytest.fixture
def committed_account(transactional_db: None) -> Account:
    return account_create(
        username="sally", password=None, seller_name="Sally Baker", time_zone="America/New_York"
    )


def test_twenty_parallel_retries_make_one_contact(committed_account: Account) -> None:
    """Twenty retries of one POST sent at once (a client timing out and retrying hard): one
    contact, one kept answer, and every retry gets that answer."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers are tested on PostgreSQL (SQLite lets one writer at a time)")
    token = token_for(committed_account)
    key = _key()

    def post(_: int) -> Any:
        response = ApiClient(token).post("/contacts", ANN, **key)
        return response.status_code, response.json()

    answers = at_once(PARALLEL, post)
    assert {status for status, _ in answers} == {201}
    assert len({body["id"] for _, body in answers}) == 1
    assert Contact.objects.filter(account=committed_account).count() == 1
    assert IdempotentRequest.objects.filter(account=committed_account).count() == 1


def test_twenty_parallel_posts_without_a_key_are_twenty(committed_account: Account) -> None:
    """The control: the same twenty without the header are twenty contacts (and each number is
    still one contact: the duplicates are refused)."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers are tested on PostgreSQL")
    token = token_for(committed_account)
    answers = at_once(
        PARALLEL, lambda i: ApiClient(token).post("/contacts", {"first_name": f"N{i}"}).status_code
    )
    assert answers == [201] * PARALLEL
    assert Contact.objects.filter(account=committed_account).count() == PARALLEL
