"""The API's webhooks: register a URL for events, change or remove it, send a test, and read
each delivery's attempts. The same services as Settings → Webhooks and ``ringback webhook``."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from ringback.accounts.api import api_account
from ringback.hooks.models import Webhook, WebhookDelivery
from ringback.hooks.selectors import webhook_deliveries, webhook_get, webhooks_list
from ringback.hooks.services import (
    webhook_create,
    webhook_delete,
    webhook_ping,
    webhook_secret_rotate,
    webhook_update,
)
from ringback.interface.api import COMMON_ERRORS, WRITE_ERRORS

router = Router(tags=["webhooks"])


class WebhookOut(Schema):
    """A registered URL: the events it is sent, and the secret its deliveries are signed with
    (see the ``Ringback-Signature`` header in docs/webhooks.md)."""

    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    secret: str
    created_at: datetime


class WebhookIn(Schema):
    url: str = Field(..., max_length=2000, description="http(s); not a private or loopback address")
    events: list[str] = Field(..., min_length=1, max_length=10, description="e.g. callback.logged")
    description: str = Field("", max_length=200)


class WebhookPatch(Schema):
    url: str | None = Field(None, max_length=2000)
    events: list[str] | None = Field(None, min_length=1, max_length=10)
    description: str | None = Field(None, max_length=200)
    active: StrictBool | None = None


class AttemptOut(Schema):
    number: int
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    event_id: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    attempt_log: list[AttemptOut]


class DeliveriesIn(Schema):
    limit: int = Field(50, ge=1, le=200)


def _out(webhook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=webhook.pk,
        url=webhook.url,
        events=list(webhook.events),
        description=webhook.description,
        active=webhook.active,
        secret=webhook.secret,
        created_at=webhook.created_at,
    )


def _delivery(delivery: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.pk,
        event_id=str(delivery.event_id),
        event=delivery.event,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        attempt_log=[
            AttemptOut(
                number=a.number, at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms
            )
            for a in delivery.attempt_log.all()
        ],
    )


@router.get("/webhooks", response={200: list[WebhookOut], **COMMON_ERRORS}, url_name="webhooks")
def webhooks_read_all(request: HttpRequest) -> list[WebhookOut]:
    """The account's webhooks, oldest first. Events: callback.logged, reply.received,
    appointment.booked, appointment.moved, appointment.cancelled, enrollment.ended."""
    return [_out(w) for w in webhooks_list(account=api_account(request))]


@router.post("/webhooks", response={201: WebhookOut, **WRITE_ERRORS}, url_name="webhook-create")
def webhooks_create(request: HttpRequest, payload: WebhookIn) -> Status[WebhookOut]:
    """Register a URL to be sent events, signed with a new secret."""
    webhook = webhook_create(
        account=api_account(request), url=payload.url, events=payload.events, description=payload.description
    )
    return Status(201, _out(webhook))


@router.get("/webhooks/{int:webhook_id}", response={200: WebhookOut, **COMMON_ERRORS}, url_name="webhook")
def webhooks_read(request: HttpRequest, webhook_id: int) -> WebhookOut:
    """One webhook."""
    return _out(webhook_get(account=api_account(request), webhook_id=webhook_id))


@router.patch(
    "/webhooks/{int:webhook_id}", response={200: WebhookOut, **WRITE_ERRORS}, url_name="webhook-update"
)
def webhooks_update(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> WebhookOut:
    """Change a webhook's URL, events, description, or turn it off and on."""
    webhook = webhook_update(
        account=api_account(request),
        webhook_id=webhook_id,
        url=payload.url,
        events=payload.events,
        description=payload.description,
        active=payload.active,
    )
    return _out(webhook)


@router.delete("/webhooks/{int:webhook_id}", response={204: None, **WRITE_ERRORS}, url_name="webhook-delete")
def webhooks_delete(request: HttpRequest, webhook_id: int) -> Status[None]:
    """Remove a webhook with its deliveries and their log."""
    webhook_delete(account=api_account(request), webhook_id=webhook_id)
    return Status(204, None)


@router.post(
    "/webhooks/{int:webhook_id}/rotate-secret",
    response={200: WebhookOut, **WRITE_ERRORS},
    url_name="webhook-rotate",
)
def webhooks_rotate_secret(request: HttpRequest, webhook_id: int) -> WebhookOut:
    """Give a webhook a new secret: every attempt from now on is signed with it."""
    return _out(webhook_secret_rotate(account=api_account(request), webhook_id=webhook_id))


@router.post(
    "/webhooks/{int:webhook_id}/ping", response={202: DeliveryOut, **WRITE_ERRORS}, url_name="webhook-ping"
)
def webhooks_ping(request: HttpRequest, webhook_id: int) -> Status[DeliveryOut]:
    """Send a test delivery (event ``ping``), signed, retried and logged like any other."""
    delivery = webhook_ping(account=api_account(request), webhook_id=webhook_id)
    return Status(202, _delivery(delivery))


@router.get(
    "/webhooks/{int:webhook_id}/deliveries",
    response={200: list[DeliveryOut], **COMMON_ERRORS},
    url_name="webhook-deliveries",
)
def webhooks_deliveries(
    request: HttpRequest, webhook_id: int, page: Query[DeliveriesIn]
) -> list[DeliveryOut]:
    """A webhook's latest deliveries, newest first, each with every attempt."""
    return [
        _delivery(d)
        for d in webhook_deliveries(account=api_account(request), webhook_id=webhook_id, limit=page.limit)
    ]
