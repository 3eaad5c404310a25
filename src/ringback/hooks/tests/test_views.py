"""The Webhooks page under Settings: add, refuse, remove, new secret, test delivery, on/off, and the
delivery log; another account's webhook is a 404 on every route."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ringback.accounts.models import Account
from ringback.hooks.models import Webhook, WebhookAttempt, WebhookDelivery
from ringback.hooks.services import webhook_create

URL = "https://93.184.215.14/hooks"


def signed_in(account: Account) -> Client:
    client = Client()
    client.force_login(account.memberships.get().user)
    return client


def test_the_page_adds_a_webhook(account: Account) -> None:
    client = signed_in(account)
    page = client.get("/settings/webhooks/")
    assert page.status_code == 200
    assert "No webhooks yet" in page.content.decode()
    response = client.post(
        "/settings/webhooks/",
        {"url": URL, "events": ["callback.logged", "appointment.booked"], "description": "<b>CRM</b>"},
    )
    webhook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/settings/webhooks/#webhook-{webhook.pk}"
    assert webhook.events == ["callback.logged", "appointment.booked"]
    body = client.get("/settings/webhooks/").content.decode()
    assert "&lt;b&gt;CRM&lt;/b&gt;" in body and "<b>CRM</b>" not in body
    assert webhook.secret in body
    assert "Webhook added" in body
    assert "<script>" not in body and "style=" not in body


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"url": "http://169.254.169.254/latest", "events": ["callback.logged"]}, "a link-local address"),
        ({"url": "http://localhost/x", "events": ["callback.logged"]}, "localhost resolves to 127.0.0.1"),
        ({"url": "ftp://93.184.215.14/", "events": ["callback.logged"]}, "starts with https://"),
        ({"url": URL, "events": ["ping"]}, "Select a valid choice"),
        ({"url": URL}, "This field is required"),
    ],
)
def test_refusals_are_shown_next_to_their_field(account: Account, data: dict[str, Any], says: str) -> None:
    response = signed_in(account).post("/settings/webhooks/", data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Webhook.objects.exists()


def test_the_buttons_of_a_webhook(account: Account) -> None:
    webhook = webhook_create(account=account, url=URL, events=["callback.logged"])
    client = signed_in(account)
    old = webhook.secret
    assert client.post(f"/settings/webhooks/{webhook.pk}/rotate/").status_code == 302
    webhook.refresh_from_db()
    assert webhook.secret != old
    assert client.post(f"/settings/webhooks/{webhook.pk}/active/", {"active": "off"}).status_code == 302
    webhook.refresh_from_db()
    assert not webhook.active
    assert "Turn on" in client.get("/settings/webhooks/").content.decode()
    assert client.post(f"/settings/webhooks/{webhook.pk}/active/", {"active": "on"}).status_code == 302
    response = client.post(f"/settings/webhooks/{webhook.pk}/ping/")
    assert response["Location"] == f"/settings/webhooks/{webhook.pk}/deliveries/"
    delivery = WebhookDelivery.objects.get()
    WebhookAttempt.objects.create(
        account=account, delivery=delivery, number=1, at=delivery.created_at, status_code=None,
        error="<i>connection refused</i>", duration_ms=12,
    )  # fmt: skip
    log = client.get(response["Location"]).content.decode()
    assert "ping" in log and "&lt;i&gt;connection refused&lt;/i&gt;" in log and "12 ms" in log
    assert client.post(f"/settings/webhooks/{webhook.pk}/remove/").status_code == 302
    assert not Webhook.objects.exists()


def test_another_accounts_webhook_is_a_404_on_every_route(account: Account, other: Account) -> None:
    theirs = webhook_create(account=other, url=URL, events=["callback.logged"], description="Bob's hook")
    client = signed_in(account)
    for route in ("remove", "rotate", "ping", "active"):
        assert client.post(f"/settings/webhooks/{theirs.pk}/{route}/", {"active": "off"}).status_code == 404
    assert client.get(f"/settings/webhooks/{theirs.pk}/deliveries/").status_code == 404
    assert "Bob's hook" not in client.get("/settings/webhooks/").content.decode()
    theirs.refresh_from_db()
    assert theirs.active and not WebhookDelivery.objects.exists()


def test_the_routes_need_a_sign_in_and_the_right_method(account: Account) -> None:
    webhook = webhook_create(account=account, url=URL, events=["callback.logged"])
    assert Client().get("/settings/webhooks/").status_code == 302
    assert Client().post(f"/settings/webhooks/{webhook.pk}/remove/").status_code == 302
    client = signed_in(account)
    assert client.get(f"/settings/webhooks/{webhook.pk}/remove/").status_code == 405
    assert client.post(f"/settings/webhooks/{webhook.pk}/deliveries/").status_code == 405
    assert Webhook.objects.exists()


def test_the_settings_page_links_to_webhooks(account: Account) -> None:
    assert 'href="/settings/webhooks/"' in signed_in(account).get("/settings/").content.decode()
