"""Webhooks through the API: the same rules as Settings (no private addresses), and the log."""

from __future__ import annotations

import pytest

from ringback.testing.api import ApiClient, token_for

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.215.14/hooks/ringback"


def test_a_webhook_is_registered_listed_changed_pinged_and_removed(api: ApiClient) -> None:
    made = api.post("/webhooks", {"url": PUBLIC, "events": ["callback.logged", "appointment.booked"]})
    assert made.status_code == 201, made.content
    hook = made.json()
    assert hook["events"] == ["callback.logged", "appointment.booked"] and hook["secret"].startswith("whsec_")
    assert [h["id"] for h in api.get("/webhooks").json()] == [hook["id"]]
    changed = api.patch(f"/webhooks/{hook['id']}", {"active": False, "description": "CRM"})
    assert changed.json()["active"] is False and changed.json()["description"] == "CRM"
    ping = api.post(f"/webhooks/{hook['id']}/ping")
    assert ping.status_code == 202 and ping.json()["event"] == "ping"
    log = api.get(f"/webhooks/{hook['id']}/deliveries").json()
    assert [d["event"] for d in log] == ["ping"]
    rotated = api.post(f"/webhooks/{hook['id']}/rotate-secret").json()
    assert rotated["secret"] != hook["secret"]
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert api.get(f"/webhooks/{hook['id']}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://10.0.0.1/",
        "http://169.254.169.254/",
        "ftp://x.example/",
    ],
)
def test_private_and_odd_addresses_are_refused(api: ApiClient, url: str) -> None:
    response = api.post("/webhooks", {"url": url, "events": ["callback.logged"]})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "url"
    assert api.get("/webhooks").json() == []


def test_an_unknown_event_is_refused_on_its_field(api: ApiClient) -> None:
    response = api.post("/webhooks", {"url": PUBLIC, "events": ["contact.eaten"]})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "events"


def test_a_read_only_token_lists_but_cannot_register(account: object, api: ApiClient) -> None:
    reader = ApiClient(token_for(account, scope="read", name="reader"))  # type: ignore[arg-type]
    assert reader.get("/webhooks").status_code == 200
    assert reader.post("/webhooks", {"url": PUBLIC, "events": ["callback.logged"]}).status_code == 403
