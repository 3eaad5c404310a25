"""Two workers never send the same attempt: twenty tasks holding the same claim at once make one
attempt, and twenty sweeps at once queue a due delivery once (both databases)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ringback.accounts.models import Account
from ringback.core import clock
from ringback.hooks.delivery import RETRY_AFTER, webhook_deliveries_queue_due, webhook_delivery_attempt
from ringback.hooks.models import WebhookAttempt, WebhookDelivery
from ringback.hooks.services import webhook_create, webhook_ping
from ringback.hooks.tests.conftest import NOW, Receiver
from ringback.testing.racing import PARALLEL, at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_tasks_with_one_claim_send_once(account: Account, receiver: Receiver, private_ok: Any) -> None:
    webhook = webhook_create(account=account, url=receiver.url, events=["callback.logged"])
    receiver.secrets.append(webhook.secret)
    delivery = webhook_ping(account=account, webhook_id=webhook.pk)
    claim = WebhookDelivery.objects.get(pk=delivery.pk).claim
    results = at_once(PARALLEL, lambda i: webhook_delivery_attempt(delivery_id=delivery.pk, claim=claim))
    assert sorted(results) == ["delivered"] + ["not claimed"] * (PARALLEL - 1)
    assert len(receiver.received) == 1 and receiver.received[0].verified
    assert WebhookAttempt.objects.count() == 1
    assert WebhookDelivery.objects.get().attempts == 1


def test_twenty_sweeps_at_once_queue_a_due_delivery_once(
    account: Account, receiver: Receiver, private_ok: Any
) -> None:
    webhook = webhook_create(account=account, url=receiver.url, events=["callback.logged"])
    receiver.secrets.append(webhook.secret)
    receiver.answer(500)
    delivery = webhook_ping(account=account, webhook_id=webhook.pk)
    first = WebhookDelivery.objects.get(pk=delivery.pk).claim
    assert webhook_delivery_attempt(delivery_id=delivery.pk, claim=first) == "failed"
    with clock.frozen(NOW + RETRY_AFTER[0] + timedelta(seconds=1)):
        queued = at_once(PARALLEL, lambda i: webhook_deliveries_queue_due())
        assert sum(queued) == 1
        second = WebhookDelivery.objects.get(pk=delivery.pk).claim
        assert second and second != first
        assert webhook_delivery_attempt(delivery_id=delivery.pk, claim=first) == "not claimed"  # a stale task
        assert webhook_delivery_attempt(delivery_id=delivery.pk, claim=second) == "delivered"
    assert [a.status_code for a in WebhookAttempt.objects.order_by("number")] == [500, 200]
