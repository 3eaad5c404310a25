"""One-time submission tokens: a form sent twice acts once and answers the same; a failed send
keeps no token; tokens belong to one account and are forgotten after a day."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from ringback.accounts.models import Account, SubmissionToken
from ringback.accounts.tests.conftest import NOW
from ringback.activities.models import Touch
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock

pytestmark = pytest.mark.django_db

TOKEN = "a-token-of-the-form-0001"


@pytest.fixture
def mary(account: Account) -> Contact:
    return contact_create(
        account=account, first_name="Mary", last_name="Smith", phones=[PhoneInput("312-555-0123")]
    )


def note(client: Client, contact: Contact, text: str, token: str | None = TOKEN, **headers: str):
    data = {"note-text": text}
    if token is not None:
        data["submission_token"] = token
    return client.post(reverse("contacts:note", args=[contact.pk]), data, headers=headers)


def notes(contact: Contact) -> list[str]:
    return list(Touch.objects.filter(contact=contact).order_by("id").values_list("note", flat=True))


def test_every_rendered_form_gets_its_own_token(seller: Client, mary: Contact) -> None:
    page = seller.get(reverse("contacts:detail", args=[mary.pk])).content.decode()
    tokens = re.findall(r'<input type="hidden" name="submission_token" value="([^"]+)">', page)
    assert len(tokens) >= 4  # note, promise, enroll, appointment
    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", t) for t in tokens)


def test_a_form_sent_twice_acts_once_and_answers_the_first_answer(seller: Client, mary: Contact) -> None:
    first = note(seller, mary, "Wants the blue set")
    assert first.status_code == 302 and first["Location"].endswith("#card-note")
    again = note(seller, mary, "Wants the blue set")
    assert (again.status_code, again["Location"]) == (302, first["Location"])
    assert notes(mary) == ["Wants the blue set"]
    # The message of the first answer is shown (once per answer sent).
    page = unescape(seller.get(first["Location"]).content.decode())
    assert "Note added." in page

    partial = note(seller, mary, "Bring the catalogue", token="a-token-of-the-form-0002", HX_Request="true")
    replayed = note(seller, mary, "Bring the catalogue", token="a-token-of-the-form-0002", HX_Request="true")
    assert replayed.status_code == 200 and replayed.content == partial.content
    assert notes(mary) == ["Wants the blue set", "Bring the catalogue"]


def test_the_same_token_with_other_values_is_a_new_request(seller: Client, mary: Contact) -> None:
    note(seller, mary, "Wants the blue set")
    note(seller, mary, "Wants the red set")  # edited and sent again from the same form
    assert notes(mary) == ["Wants the blue set", "Wants the red set"]


def test_a_refused_form_keeps_no_token_so_the_corrected_one_goes_through(
    seller: Client, account: Account
) -> None:
    add = reverse("contacts:add")
    refused = seller.post(add, {"phone": "12", "phone_label": "mobile", "submission_token": TOKEN})
    assert refused.status_code == 400
    assert not SubmissionToken.objects.exists()
    done = seller.post(add, {"first_name": "Tom", "phone_label": "mobile", "submission_token": TOKEN})
    assert done.status_code == 302 and Contact.objects.get().first_name == "Tom"


def test_tokens_belong_to_one_account(
    seller: Client, other: Client, mary: Contact, other_account: Account
) -> None:
    note(seller, mary, "Mary's secret")
    bob = contact_create(account=other_account, first_name="Bob", last_name="Jones")
    # The same token, sent by another account: its own request, never the first account's answer.
    theirs = note(other, bob, "Bob's note", HX_Request="true")
    assert theirs.status_code == 200
    assert "Mary" not in theirs.content.decode() and "Bob's note" in unescape(theirs.content.decode())
    assert notes(bob) == ["Bob's note"] and notes(mary) == ["Mary's secret"]
    assert SubmissionToken.objects.filter(token=TOKEN).count() == 2


def test_tokens_older_than_a_day_are_forgotten(seller: Client, mary: Contact) -> None:
    with clock.frozen(NOW - timedelta(days=1, minutes=1)):
        note(seller, mary, "Yesterday", token="a-token-of-yesterday-01")
    with clock.frozen(NOW - timedelta(hours=23)):
        note(seller, mary, "Last night", token="a-token-of-last-night-1")
    note(seller, mary, "Today")
    assert sorted(SubmissionToken.objects.values_list("token", flat=True)) == [
        "a-token-of-last-night-1",
        TOKEN,
    ]
    # A form older than a day acts again: its token is no longer known.
    note(seller, mary, "Yesterday", token="a-token-of-yesterday-01")
    assert notes(mary) == ["Yesterday", "Last night", "Today", "Yesterday"]


def test_a_malformed_token_is_refused_and_changes_nothing(seller: Client, mary: Contact) -> None:
    for token in ("short", "x" * 65, "has spaces in it here", "<script>alert(1)</script>"):
        response = note(seller, mary, "Hello", token=token)
        assert response.status_code == 400
        assert "submission token is not valid: reload the page" in response.content.decode()
    assert notes(mary) == []


def test_a_form_without_a_token_still_works(seller: Client, mary: Contact) -> None:
    assert note(seller, mary, "Hello", token=None).status_code == 302
    assert notes(mary) == ["Hello"] and not SubmissionToken.objects.exists()
