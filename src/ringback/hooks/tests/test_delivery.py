"""Deliveries go through the worker, signed, to an independent receiver on loopback: a callback
logged reaches it once; a failed attempt is retried after its back-off; the last one gives up;
an address that is refused at delivery time is never called (issue 15)."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from ringback.accounts.models import Account
from ringback.activities.services import touch_log
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.hooks import delivery as delivery_module
from ringback.hooks.delivery import (
    MAX_ATTEMPTS,
    RETRY_AFTER,
    webhook_deliveries_queue_due,
    webhook_delivery_attempt,
)
from ringback.hooks.models import WebhookAttempt, WebhookDelivery
from ringback.hooks.selectors import webhook_deliveries
from ringback.hooks.services import (
    webhook_create,
    webhook_delete,
    webhook_event_emit,
    webhook_ping,
    webhook_secret_rotate,
    webhook_update,
)
from ringback.hooks.tests.conftest import NOW, Receiver
from ringback.jobs.worker import worker_run

pytestmark = pytest.mark.django_db(transaction=True)


DOCS = Path(__file__).resolve().parents[4] / "docs" / "webhooks.md"


def docs_verifier() -> Callable[[str, bytes, str], bool]:
    """The verification snippet of ``docs/webhooks.md``, run as a receiver would paste it."""
    [snippet] = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    scope: dict[str, Any] = {}
    exec(snippet, scope)
    verifier: Callable[[str, bytes, str], bool] = scope["ringback_verified"]
    return verifier


def hook(account: Account, receiver: Receiver, *events: str) -> Any:
    webhook = webhook_create(account=account, url=receiver.url, events=events or ["callback.logged"])
    receiver.secrets.append(webhook.secret)
    return webhook


def test_a_callback_logged_reaches_the_receiver_once_signed(
    account: Account, mary: Contact, receiver: Receiver, private_ok: Any
) -> None:
    webhook = hook(account, receiver)
    touch = touch_log(account=account, contact=mary, outcome="callback", note="Call me after 4", via="call")
    worker_run(until_idle=True)

    [got] = receiver.received
    assert got.verified
    assert got.path == "/hooks/ringback"
    assert got.headers["ringback-event"] == "callback.logged"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == "Ringback-Webhooks/1"
    assert got.headers["host"] == f"127.0.0.1:{receiver.port}"
    body = got.json()
    assert got.headers["ringback-delivery"] == body["id"]
    assert (body["event"], body["account_id"], body["created_at"]) == (
        "callback.logged",
        account.pk,
        "2026-11-23T14:00:00Z",
    )
    assert body["data"] == {
        "touch_id": touch.pk,
        "contact_id": mary.pk,
        "contact_name": "Mary Smith",
        "at": "2026-11-23T14:00:00Z",
        "via": "call",
        "phone": None,
        "note": "Call me after 4",
    }
    assert docs_verifier()(webhook.secret, got.body, got.headers["ringback-signature"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("delivered", 1, NOW)
    assert delivery.body.encode() == got.body  # the exact bytes kept are the bytes sent
    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    worker_run(until_idle=True)
    assert webhook_deliveries_queue_due() == 0
    assert len(receiver.received) == 1
    assert webhook.pk == delivery.webhook_id


def test_a_failed_attempt_is_retried_after_its_back_off(
    account: Account, mary: Contact, receiver: Receiver, private_ok: Any
) -> None:
    webhook = hook(account, receiver)
    receiver.answer(500)
    touch_log(account=account, contact=mary, outcome="callback")
    worker_run(until_idle=True)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "failed",
        1,
        NOW + RETRY_AFTER[0],
    )

    with clock.frozen(NOW + RETRY_AFTER[0] - timedelta(seconds=1)):
        assert webhook_deliveries_queue_due() == 0  # not yet
        worker_run(until_idle=True)
    assert len(receiver.received) == 1

    later = NOW + RETRY_AFTER[0] + timedelta(seconds=5)
    with clock.frozen(later):
        assert webhook_deliveries_queue_due() == 1
        assert webhook_deliveries_queue_due() == 0  # queued once
        worker_run(until_idle=True)
    assert [r.verified for r in receiver.received] == [True, True]
    first, second = (r.json() for r in receiver.received)
    assert first == second  # the same event, the same id: the receiver de-duplicates on it
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("delivered", 2, later)
    [logged] = webhook_deliveries(account=account, webhook_id=webhook.pk)
    shown = [(a.number, a.at, a.status_code, bool(a.error)) for a in logged.attempt_log.all()]
    assert shown == [(1, NOW, 500, True), (2, later, 200, False)]
    assert "answered 500" in logged.attempt_log.all()[0].error


def test_the_last_failure_gives_up(
    account: Account, mary: Contact, receiver: Receiver, private_ok: Any
) -> None:
    hook(account, receiver)
    receiver.answer(*[503] * 20)
    touch_log(account=account, contact=mary, outcome="callback")
    worker_run(until_idle=True)
    at = NOW
    for wait in RETRY_AFTER:
        at += wait
        with clock.frozen(at):
            assert webhook_deliveries_queue_due() == 1
            worker_run(until_idle=True)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("gave-up", MAX_ATTEMPTS, None)
    assert len(receiver.received) == MAX_ATTEMPTS == 7
    with clock.frozen(at + timedelta(days=3)):
        assert webhook_deliveries_queue_due() == 0
        worker_run(until_idle=True)
    assert len(receiver.received) == MAX_ATTEMPTS
    assert list(WebhookAttempt.objects.values_list("status_code", flat=True)) == [503] * 7


def test_no_receiver_listening_is_an_attempt_that_failed(account: Account, private_ok: Any) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    webhook = webhook_create(account=account, url=f"http://127.0.0.1:{port}/", events=["appointment.booked"])
    webhook_ping(account=account, webhook_id=webhook.pk)
    worker_run(until_idle=True)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.event) == ("failed", "ping")
    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.status_code, attempt.error) == (None, "connection refused")


def test_a_ping_and_a_rotated_secret(account: Account, receiver: Receiver, private_ok: Any) -> None:
    webhook = hook(account, receiver, "appointment.booked")
    old = webhook.secret
    rotated = webhook_secret_rotate(account=account, webhook_id=webhook.pk)
    assert rotated.secret != old and rotated.secret.startswith("whsec_")
    receiver.secrets[:] = [old]
    webhook_ping(account=account, webhook_id=webhook.pk)
    worker_run(until_idle=True)
    [got] = receiver.received
    assert not got.verified  # signed with the new secret: the old one does not verify it
    receiver.secrets[:] = [rotated.secret]
    webhook_ping(account=account, webhook_id=webhook.pk)
    worker_run(until_idle=True)
    assert receiver.received[1].verified
    assert receiver.received[1].json()["event"] == "ping"


def test_an_address_allowed_when_registered_is_refused_at_delivery(
    account: Account, mary: Contact, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    hook(account, receiver)
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    touch_log(account=account, contact=mary, outcome="callback")
    worker_run(until_idle=True)
    assert receiver.received == []
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code is None
    assert attempt.error.startswith("not sent: webhooks may not call private, loopback or link-local")
    assert "127.0.0.1 is a loopback address" in attempt.error
    assert WebhookDelivery.objects.get().status == "failed"


def _resolving(monkeypatch: pytest.MonkeyPatch, name: str, *answers: str) -> list[str]:
    """Make ``name`` resolve to each of ``answers`` in turn (then the last); every other name as
    usual. Returns the list of what was asked."""
    real = socket.getaddrinfo
    asked: list[str] = []
    queue = list(answers)

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != name:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


def test_a_name_that_now_resolves_to_loopback_is_refused_at_delivery(
    account: Account, mary: Contact, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _resolving(monkeypatch, "rebind.example.test", "93.184.215.14", "127.0.0.1")
    url = f"http://rebind.example.test:{receiver.port}/hooks"
    webhook_create(account=account, url=url, events=["callback.logged"])
    touch_log(account=account, contact=mary, outcome="callback")
    worker_run(until_idle=True)
    assert receiver.received == []
    assert (
        "rebind.example.test resolves to 127.0.0.1, a loopback address" in WebhookAttempt.objects.get().error
    )


def test_the_connection_goes_to_the_address_that_was_checked(
    account: Account, mary: Contact, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, private_ok: Any
) -> None:
    """The name resolves to loopback when checked and elsewhere a moment later: the request goes
    to the checked address, with the name in its Host header."""
    registered = 2  # the check at registration, then the check of the delivery
    asked = _resolving(monkeypatch, "pinned.example.test", *["127.0.0.1"] * registered, "10.255.255.1")
    webhook = webhook_create(
        account=account, url=f"http://pinned.example.test:{receiver.port}/in", events=["callback.logged"]
    )
    receiver.secrets.append(webhook.secret)
    touch_log(account=account, contact=mary, outcome="callback")
    worker_run(until_idle=True)
    [got] = receiver.received
    assert got.verified and got.headers["host"] == f"pinned.example.test:{receiver.port}"
    assert len(asked) == registered  # resolved once per check, never again to connect


def test_an_event_of_a_transaction_rolled_back_is_never_sent(
    account: Account, receiver: Receiver, private_ok: Any
) -> None:
    hook(account, receiver, "appointment.booked")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert webhook_event_emit(account=account, event="appointment.booked", data={"x": 1}) == 1
        raise RuntimeError("the booking failed")
    worker_run(until_idle=True)
    assert WebhookDelivery.objects.count() == 0 and receiver.received == []


def test_a_webhook_removed_while_its_delivery_is_sent_leaves_nothing_behind(
    account: Account, receiver: Receiver, private_ok: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhook = hook(account, receiver, "appointment.booked")
    delivery = webhook_ping(account=account, webhook_id=webhook.pk)
    claim = WebhookDelivery.objects.get(pk=delivery.pk).claim

    def sent_then_removed(row: WebhookDelivery) -> tuple[int, str, int]:
        webhook_delete(account=account, webhook_id=webhook.pk)
        return 200, "", 3

    monkeypatch.setattr(delivery_module, "_attempt", sent_then_removed)
    assert webhook_delivery_attempt(delivery_id=delivery.pk, claim=claim) == "removed"
    assert not WebhookDelivery.objects.exists() and not WebhookAttempt.objects.exists()


def test_a_webhook_turned_off_gives_its_waiting_deliveries_up(
    account: Account, mary: Contact, receiver: Receiver, private_ok: Any
) -> None:
    webhook = hook(account, receiver)
    receiver.answer(500)
    touch_log(account=account, contact=mary, outcome="callback")
    worker_run(until_idle=True)
    webhook_update(account=account, webhook_id=webhook.pk, active=False)
    with clock.frozen(NOW + RETRY_AFTER[0]):
        assert webhook_deliveries_queue_due() == 1
        worker_run(until_idle=True)
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("gave-up", 2)
    assert WebhookAttempt.objects.get(number=2).error == "not sent: the webhook is turned off"
