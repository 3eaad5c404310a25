"""`ringback webhook`: add, list, ping, the delivery log, rotate, on/off and remove; refusals are
one `error:` line (issue 15)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from ringback.accounts.services import account_create
from ringback.hooks.models import Webhook
from ringback.jobs.worker import worker_run

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
URL = "https://93.184.215.14/hooks/ringback"


@pytest.fixture(autouse=True)
def _sally(db: None) -> None:
    account_create(username="sally", password=None)
    account_create(username="bob", password=None)


def test_add_list_rotate_off_and_remove(ringback: Any) -> None:
    added = ringback.json(
        "webhook", "add", URL, "--event", "callback.logged", "--event", "reply.received", "--user", "sally"
    )
    assert added["url"] == URL and added["events"] == ["callback.logged", "reply.received"]
    assert added["secret"].startswith("whsec_") and added["active"] is True
    pk = str(added["webhook_id"])
    text = ringback.ok(
        "webhook", "add", URL + "/2", "--event", "enrollment.ended", "--description", "CRM", "--user", "sally"
    )
    assert "Added webhook" in text.out and "whsec_" in text.out

    listed = ringback.json("webhook", "list", "--user", "sally")
    assert [w["url"] for w in listed] == [URL, URL + "/2"]
    assert ringback.json("webhook", "--user", "bob") == []
    assert "No webhooks" in ringback.ok("webhook", "list", "--user", "bob").out

    rotated = ringback.json("webhook", "rotate", pk, "--user", "sally")
    assert rotated["secret"] != added["secret"]
    assert ringback.json("webhook", "off", pk, "--user", "sally")["active"] is False
    assert ringback.json("webhook", "on", f"#{pk}", "--user", "sally")["active"] is True
    assert "Removed webhook" in ringback.ok("webhook", "remove", pk, "--user", "sally").out
    assert Webhook.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "http://127.0.0.1/x", "--event", "callback.logged"), "127.0.0.1 is a loopback address"),
        (("add", "http://169.254.169.254/", "--event", "callback.logged"), "link-local"),
        (("add", "file:///etc/passwd", "--event", "callback.logged"), "starts with https://"),
        (("add", URL), "choose at least one event"),
        (("add",), "give the URL"),
        (("ping", "abc"), "name the webhook by its id"),
        (("remove",), "name the webhook by its id"),
        (("ping", "999999"), "no such webhook"),
        (("deliveries", "999999"), "no such webhook"),
    ],
)
def test_refusals_are_one_error_line(ringback: Any, args: tuple[str, ...], says: str) -> None:
    result = ringback("webhook", *args, "--user", "sally")
    assert result.code == 1, str(result)
    [line] = result.error_lines
    assert line.startswith("error: ") and says in line, str(result)


def test_another_accounts_webhook_is_no_such_webhook(ringback: Any) -> None:
    pk = str(
        ringback.json("webhook", "add", URL, "--event", "callback.logged", "--user", "sally")["webhook_id"]
    )
    for action in ("remove", "ping", "deliveries", "rotate", "off"):
        result = ringback("webhook", action, pk, "--user", "bob")
        assert result.error_lines == ["error: no such webhook"], str(result)
    assert Webhook.objects.get().active


@pytest.mark.django_db(transaction=True)
def test_a_ping_and_its_delivery_log(ringback: Any, settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    pk = str(
        ringback.json(
            "webhook", "add", f"http://127.0.0.1:{port}/", "--event", "callback.logged", "--user", "sally"
        )["webhook_id"]
    )
    assert "Nothing sent" in ringback.ok("webhook", "deliveries", pk, "--user", "sally").out
    ping = ringback.json("webhook", "ping", pk, "--user", "sally")
    assert ping["event"] == "ping"
    worker_run(until_idle=True)
    [delivery] = ringback.json("webhook", "deliveries", pk, "--limit", "5", "--user", "sally")
    assert (delivery["delivery_id"], delivery["event"], delivery["status"]) == (
        ping["delivery_id"],
        "ping",
        "failed",
    )
    [attempt] = delivery["attempts"]
    assert (attempt["number"], attempt["status_code"], attempt["error"]) == (1, None, "connection refused")
    table = ringback.ok("webhook", "deliveries", pk, "--user", "sally").out
    assert "connection refused" in table and "ping" in table
