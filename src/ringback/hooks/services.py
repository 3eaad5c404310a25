"""Writes of webhooks: registering, changing and removing a URL, its secret, and the events that
become deliveries (sent by the worker: see :mod:`ringback.hooks.delivery`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from django.db import transaction

from ringback.accounts.models import Account
from ringback.accounts.services import account_lock
from ringback.core import clock
from ringback.core.errors import InvalidInput
from ringback.hooks.addresses import target_check
from ringback.hooks.choices import SUBSCRIBABLE, DeliveryStatus, WebhookEvent
from ringback.hooks.delivery import QUEUE_LEASE, claim_new, webhook_delivery_queue
from ringback.hooks.models import Webhook, WebhookDelivery
from ringback.hooks.selectors import webhook_get
from ringback.hooks.signing import secret_new
from ringback.interface.commands import iso_utc

#: The most webhooks an account may have.
WEBHOOKS_MAX = 20
DESCRIPTION_MAX = 200


def _url_checked(url: str) -> str:
    url = url.strip()
    target_check(url)
    return url


def _events_checked(events: Iterable[str]) -> list[str]:
    """The events in their usual order, each once; :class:`InvalidInput` (field ``events``) for
    none, or one that is not subscribable."""
    chosen = {str(e).strip() for e in events}
    unknown = sorted(chosen - {e.value for e in SUBSCRIBABLE})
    if unknown:
        names = ", ".join(e.value for e in SUBSCRIBABLE)
        raise InvalidInput(
            f"{unknown[0][:60]!r} is not an event a webhook can subscribe to (one of: {names})",
            field="events",
        )
    if not chosen:
        raise InvalidInput("choose at least one event to send", field="events")
    return [e.value for e in SUBSCRIBABLE if e.value in chosen]


def _description_checked(description: str) -> str:
    description = description.strip()
    if "\x00" in description:
        raise InvalidInput("the description may not contain a NUL character", field="description")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(f"the description has at most {DESCRIPTION_MAX} characters", field="description")
    return description


@transaction.atomic
def webhook_create(*, account: Account, url: str, events: Iterable[str], description: str = "") -> Webhook:
    """Register ``url`` to be sent ``events``, with a new secret; it is active at once.

    The URL must be one Ringback may call (:func:`ringback.hooks.addresses.target_check`:
    :class:`WebhookRefused`, field ``url``); the events a non-empty choice of the subscribable
    ones (:class:`InvalidInput`, field ``events``). An account has at most :data:`WEBHOOKS_MAX`
    (the account row is locked while counting, so two at once can't pass it).
    """
    checked_events = _events_checked(events)
    checked_description = _description_checked(description)
    checked_url = _url_checked(url)
    account_lock(account=account)
    if Webhook.objects.filter(account=account).count() >= WEBHOOKS_MAX:
        raise InvalidInput(f"an account has at most {WEBHOOKS_MAX} webhooks: remove one first", field="url")
    return Webhook.objects.create(
        account=account,
        url=checked_url,
        events=checked_events,
        secret=secret_new(),
        description=checked_description,
        active=True,
        created_at=clock.now(),
    )


@transaction.atomic
def webhook_update(
    *,
    account: Account,
    webhook_id: int,
    url: str | None = None,
    events: Iterable[str] | None = None,
    active: bool | None = None,
    description: str | None = None,
) -> Webhook:
    """Change what is given of a webhook of the account (checked as :func:`webhook_create`
    checks); :class:`NotFound` for another account's. Turning it off stops its waiting
    deliveries (they are given up when their turn comes)."""
    checked_url = _url_checked(url) if url is not None else None
    webhook = webhook_get(account=account, webhook_id=webhook_id, lock=True)
    if checked_url is not None:
        webhook.url = checked_url
    if events is not None:
        webhook.events = _events_checked(events)
    if description is not None:
        webhook.description = _description_checked(description)
    if active is not None:
        webhook.active = active
    webhook.save(update_fields=["url", "events", "description", "active"])
    return webhook


@transaction.atomic
def webhook_delete(*, account: Account, webhook_id: int) -> None:
    """Remove a webhook of the account with its deliveries and their log; :class:`NotFound`
    for another account's (or one already removed)."""
    webhook = webhook_get(account=account, webhook_id=webhook_id, lock=True)
    webhook.delete()


@transaction.atomic
def webhook_secret_rotate(*, account: Account, webhook_id: int) -> Webhook:
    """Give a webhook of the account a new secret: every attempt from now on is signed with it
    (retries of earlier events too); :class:`NotFound` for another account's."""
    webhook = webhook_get(account=account, webhook_id=webhook_id, lock=True)
    webhook.secret = secret_new()
    webhook.save(update_fields=["secret"])
    return webhook


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot send {type(value).__name__} in a webhook")


def _delivery(
    account: Account, webhook: Webhook, event: WebhookEvent, data: Mapping[str, object]
) -> WebhookDelivery:
    now = clock.now()
    event_id = uuid.uuid4()
    body = json.dumps(
        {
            "id": str(event_id),
            "event": event.value,
            "created_at": iso_utc(now),
            "account_id": account.pk,
            "data": dict(data),
        },
        default=_json_value,
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return WebhookDelivery(
        account=account,
        webhook=webhook,
        event=event.value,
        event_id=event_id,
        body=body,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        claim=claim_new(),
        claimed_until=now + QUEUE_LEASE,
        created_at=now,
    )


def webhook_event_emit(
    *,
    account: Account,
    event: str | WebhookEvent,
    data: Mapping[str, object] | Callable[[], Mapping[str, object]],
) -> int:
    """Make a delivery of ``event`` with ``data`` (JSON values; date-times are sent in ISO UTC)
    for each active webhook of the account subscribed to it, in the caller's transaction; each
    is queued for the worker once that transaction commits (none is sent if it rolls back).
    Returns how many deliveries were made.

    ``data`` may be a function that returns it, called only when a webhook listens: an event
    nobody listens to costs one query."""
    kind = WebhookEvent(event)
    webhooks = [
        hook
        for hook in Webhook.objects.filter(account_id=account.pk, active=True).only("pk", "events")
        if kind.value in hook.events
    ]
    if not webhooks:
        return 0
    values = data() if callable(data) else data
    deliveries = WebhookDelivery.objects.bulk_create(
        [_delivery(account, hook, kind, values) for hook in webhooks]
    )
    for delivery in deliveries:
        webhook_delivery_queue(delivery=delivery)
    return len(deliveries)


@transaction.atomic
def webhook_ping(*, account: Account, webhook_id: int) -> WebhookDelivery:
    """Send a test delivery (event ``ping``) to a webhook of the account, even one turned off;
    it is signed, retried and logged like any other. :class:`NotFound` for another account's."""
    webhook = webhook_get(account=account, webhook_id=webhook_id)
    delivery = _delivery(
        account,
        webhook,
        WebhookEvent.PING,
        {"webhook_id": webhook.pk, "message": "A test delivery from Ringback: your receiver works."},
    )
    delivery.save()
    webhook_delivery_queue(delivery=delivery)
    return delivery
