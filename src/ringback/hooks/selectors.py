"""Reads of webhooks: an account's webhooks, one of them, and its delivery log."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ringback.accounts.models import Account
from ringback.core.errors import NotFound
from ringback.hooks.models import Webhook, WebhookAttempt, WebhookDelivery

#: The most deliveries a log shows at once.
DELIVERIES_MAX = 200


def webhooks_list(*, account: Account) -> QuerySet[Webhook]:
    """The account's webhooks, oldest first."""
    return Webhook.objects.filter(account=account).order_by("created_at", "pk")


def webhook_get(*, account: Account, webhook_id: int, lock: bool = False) -> Webhook:
    """The account's webhook ``webhook_id`` (locked until the transaction ends with ``lock``);
    :class:`NotFound` ("no such webhook") when the account has none by that id: another
    account's is not told apart from one that does not exist."""
    rows = Webhook.objects.filter(account=account, pk=webhook_id)
    webhook = (rows.select_for_update() if lock else rows).first()
    if webhook is None:
        raise NotFound("no such webhook", field="webhook")
    return webhook


def webhook_deliveries(*, account: Account, webhook_id: int, limit: int = 50) -> list[WebhookDelivery]:
    """The latest ``limit`` deliveries (at most :data:`DELIVERIES_MAX`) of one of the account's
    webhooks, newest first, each with its attempts in order (``attempt_log``) in three queries;
    :class:`NotFound` for another account's webhook."""
    webhook = webhook_get(account=account, webhook_id=webhook_id)
    limit = max(1, min(limit, DELIVERIES_MAX))
    attempts = WebhookAttempt.objects.filter(account=account).order_by("number")
    return list(
        WebhookDelivery.objects.filter(account=account, webhook=webhook)
        .defer("body")
        .order_by("-created_at", "-pk")
        .prefetch_related(Prefetch("attempt_log", queryset=attempts))[:limit]
    )
