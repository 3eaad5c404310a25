"""The library on the web: the list, the editor and its live preview, offers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.messaging.models import MessageVersion, Offer

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@pytest.fixture
def account() -> Account:
    with clock.frozen(NOW):
        return account_create(
            username="sally",
            password="a-long-password",
            seller_name="Sally Baker",
            seller_phone="312 555 0142",
        )


@pytest.fixture
def seller(client: Any, account: Account) -> Any:
    client.force_login(get_user_model().objects.get(username="sally"))
    return client


def test_the_library_lists_the_words_by_kind_and_the_offers(seller: Any) -> None:
    page = seller.get(reverse("messaging:library")).content.decode()
    assert "The gracious last message — yes or no" in page
    assert "Voicemails" in page and "Cards" in page and "Emails" in page
    assert "A special offer just for you" in page and "good for 14 days" in page
    assert 'href="/library/"' in seller.get(reverse("today")).content.decode()


def test_the_editor_previews_checks_and_saves_a_new_version(seller: Any, account: Account) -> None:
    url = reverse("messaging:edit", args=["yes-or-no"])
    page = seller.get(url).content.decode()
    assert "As Mary Smith (a sample contact) would hear it" in page and "It passes every check." in page
    words = "Hi {{ contact.first_name }}, I am just checking in. Call me at {{ seller.phone }}."
    response = seller.post(url, {"title": "Short", "body": words, "base_version": "1", "is_last": "on"})
    assert response.status_code == 302
    assert (
        MessageVersion.objects.get(account=account, message__name="yes-or-no", number=2).body == words + "\n"
    )
    page = seller.get(url).content.decode()
    assert "Version 2 saved." in page
    assert "“just checking in”" in page and "(R3)" in page and "about 8 seconds" in page, page[
        page.find("message-preview") :
    ][:1500]


def test_a_message_with_an_unknown_variable_is_refused_with_its_line(seller: Any, account: Account) -> None:
    url = reverse("messaging:edit", args=["yes-or-no"])
    body = "Hi {{ contact.first_name }},\nyour code is {{ contact.secret }}"
    response = seller.post(url, {"title": "x", "body": body, "base_version": "1"})
    assert response.status_code == 400
    assert "Line 2: {{ contact.secret }} does not exist" in response.content.decode()
    assert not MessageVersion.objects.filter(account=account, message__name="yes-or-no", number=2).exists()


def test_an_edit_from_an_old_version_is_refused(seller: Any, account: Account) -> None:
    url = reverse("messaging:edit", args=["yes-or-no"])
    assert (
        seller.post(
            url, {"title": "x", "body": "Yes or no? {{ seller.phone }}", "base_version": "1"}
        ).status_code
        == 302
    )
    response = seller.post(url, {"title": "x", "body": "Other words", "base_version": "1"})
    assert response.status_code == 400 and "changed since you opened it" in response.content.decode()


def test_the_preview_fills_in_a_contact_escaped_and_never_another_accounts(
    seller: Any, account: Account
) -> None:
    with clock.frozen(NOW):
        mine = contact_create(account=account, first_name="<b>Bo</b>", phones=[PhoneInput("212-555-0123")])
        other = account_create(username="bob", password="a-long-password")
        theirs = contact_create(account=other, first_name="Qzxsecret", phones=[PhoneInput("212-555-0124")])
    body = {"kind": "card", "body": "Dear {{ contact.first_name }},\n\nSee you soon."}
    answer = seller.post(reverse("messaging:preview"), {**body, "contact": mine.pk}).content.decode()
    assert "Dear &lt;b&gt;Bo&lt;/b&gt;," in answer and "<b>Bo</b>" not in answer
    answer = seller.post(reverse("messaging:preview"), {**body, "contact": theirs.pk}).content.decode()
    assert "Qzxsecret" not in answer and "Dear Mary," in answer
    answer = seller.post(
        reverse("messaging:preview"), {"kind": "card", "body": "{{ ''.__class__ }}"}
    ).content.decode()
    assert "can&#x27;t be used in a script" in answer and "<class" not in answer


def test_a_new_message_and_offers_with_their_bounds(seller: Any, account: Account) -> None:
    response = seller.post(
        reverse("messaging:new"),
        {
            "name": "hello-text",
            "kind": "text",
            "title": "Hello",
            "body": "Hi {{ contact.first_name }}! Reply STOP to opt out.",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "messaging:edit", args=["hello-text"]
    )
    response = seller.post(
        reverse("messaging:offer_new"), {"name": "long", "title": "Long", "valid_days": "400"}
    )
    assert response.status_code == 400
    assert "An offer runs from 1 to 90 days after the card is sent, not 400" in response.content.decode()
    response = seller.post(
        reverse("messaging:offer_new"), {"name": "long", "title": "Long", "valid_days": "-2"}
    )
    assert response.status_code == 400
    assert "An offer runs from 1 to 90 days after the card is sent, not -2" in response.content.decode()
    assert not Offer.objects.filter(account=account, name="long").exists()
    assert (
        seller.post(
            reverse("messaging:offer_new"), {"name": "long", "title": "Long", "valid_days": "20"}
        ).status_code
        == 302
    )
    page = seller.get(reverse("messaging:offer_edit", args=["long"])).content.decode()
    assert "20 days is long for an offer" in page and "(R9)" in page
