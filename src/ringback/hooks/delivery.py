"""Sending deliveries: the background task that makes one attempt, the back-off between
attempts, and the periodic sweep that queues the deliveries whose next attempt is due.

A delivery is sent by the one task that holds its ``claim`` token: the token is set when the
delivery is queued (by the event, or by the sweep when it is due again), and the task takes it
with a guarded update (``UPDATE ... WHERE claim = <its token> AND status IN (pending, failed)``)
that counts the attempt and replaces the token with the attempt's own, so of two workers given
the same delivery one sends and the other does nothing. A task that dies mid-send leaves the claim to expire (:data:`SEND_LEASE`); the
sweep then queues the delivery again under a new token. A receiver may so get an event twice:
the ``Ringback-Delivery`` header says which one it is.
"""

from __future__ import annotations

import http.client
import secrets
import socket
import ssl
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q

from ringback.core import clock
from ringback.core.errors import WebhookRefused
from ringback.hooks.addresses import TIMEOUT, target_check, target_post
from ringback.hooks.choices import TO_SEND, DeliveryStatus, WebhookEvent
from ringback.hooks.models import WebhookAttempt, WebhookDelivery
from ringback.hooks.signing import delivery_headers
from ringback.jobs.background import background
from ringback.jobs.schedule import every

#: The wait after each failed attempt; after the last, the delivery is given up.
RETRY_AFTER: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
    timedelta(hours=24),
)
#: Attempts in all: the first and one after each wait.
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
#: How long a queued task holds a delivery before the sweep queues it again (a lost task).
QUEUE_LEASE = timedelta(minutes=15)
#: How long a task sending a delivery holds it (each network step times out after 10 s).
SEND_LEASE = timedelta(minutes=2)
#: How often the sweep looks for due deliveries, and how many it queues at once.
SWEEP_EVERY = timedelta(minutes=1)
SWEEP_BATCH = 500


def claim_new() -> str:
    """A token naming the one task that may send a delivery."""
    return secrets.token_hex(16)


def webhook_delivery_queue(*, delivery: WebhookDelivery) -> None:
    """Queue the task that sends ``delivery`` under its current claim, once the caller's
    transaction commits (so the task finds the row, and nothing is sent for a rolled-back event)."""
    pk, claim = delivery.pk, delivery.claim
    transaction.on_commit(lambda: webhook_delivery_send.enqueue(pk, claim))


def webhook_deliveries_queue_due(*, now: datetime | None = None) -> int:
    """Queue a send task for every delivery whose next attempt is due and that no task holds;
    how many were queued. Several sweeps at once queue each delivery once."""
    now = now or clock.now()
    due = (
        WebhookDelivery.objects.filter(status__in=TO_SEND, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "claimed_until")[:SWEEP_BATCH]
    )
    queued = 0
    for pk, held in list(due):
        with transaction.atomic():
            row = WebhookDelivery(pk=pk, claim=claim_new())
            guard = Q(claimed_until__isnull=True) if held is None else Q(claimed_until=held)
            moved = WebhookDelivery.objects.filter(guard, pk=pk, status__in=TO_SEND).update(
                claim=row.claim, claimed_until=now + QUEUE_LEASE
            )
            if moved:
                webhook_delivery_queue(delivery=row)
                queued += 1
    return queued


def _claim(delivery_id: int, claim: str, now: datetime) -> WebhookDelivery | None:
    """Take the delivery for this attempt if ``claim`` is still its token, and count the attempt.
    The token is replaced by one of the attempt's own (the delivery's ``claim`` afterwards), so
    another task given the same token finds it gone."""
    if not claim:
        return None
    sending = claim_new()
    taken = WebhookDelivery.objects.filter(pk=delivery_id, claim=claim, status__in=TO_SEND).update(
        claim=sending, claimed_until=now + SEND_LEASE, attempts=F("attempts") + 1
    )
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def _error_text(exc: BaseException) -> str:
    """What went wrong with a request, as the delivery log says it."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT:g} seconds"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        return "the host could not be found"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    """Send the delivery once; the status code (None when no answer came), the error ("" for a
    2xx) and how long it took in milliseconds."""
    webhook = delivery.webhook
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        # Checked again at each attempt: the server's setting, or where the name points, may
        # have changed since the webhook was registered.
        target = target_check(webhook.url)
        body = delivery.body.encode("utf-8")
        headers = delivery_headers(
            secret=webhook.secret,
            # The receiver compares the timestamp with its own clock: the real time, not
            # Ringback's (which a demo or a test may set elsewhere).
            timestamp=int(time.time()),
            body=body,
            event=delivery.event,
            delivery_id=str(delivery.event_id),
        )
        answer = target_post(target, body=body, headers=headers)
        status = answer.status
        if not 200 <= status < 300:
            error = f"answered {status} (only a 2xx counts as received)"
    except WebhookRefused as exc:
        error = f"not sent: {exc.message}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = _error_text(exc)
    return status, error[:500], int((time.monotonic() - started) * 1000)


def webhook_delivery_attempt(*, delivery_id: int, claim: str) -> str:
    """Make one attempt at delivery ``delivery_id`` if ``claim`` is still its token (else do
    nothing: another task has it, or it is settled), and record it in the delivery log. A 2xx
    answer marks it delivered; anything else (another status, no answer, a refused address)
    schedules the next attempt after :data:`RETRY_AFTER`, or gives up after the last. A webhook
    turned off sends nothing more but test pings: its waiting deliveries are given up. Returns
    the delivery's status afterwards, or "not claimed" (nothing was done), "removed" (its webhook
    was removed meanwhile) or "claim lost" (the attempt took longer than its lease)."""
    delivery = _claim(delivery_id, claim, clock.now())
    if delivery is None:
        return "not claimed"
    turned_off = not delivery.webhook.active and delivery.event != WebhookEvent.PING
    if turned_off:
        status, error, took = None, "not sent: the webhook is turned off", 0
    else:
        status, error, took = _attempt(delivery)
    now = clock.now()
    number = delivery.attempts
    fields: dict[str, object] = {"claim": "", "claimed_until": None}
    if not error:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif number >= MAX_ATTEMPTS or turned_off:
        fields.update(status=DeliveryStatus.GAVE_UP, next_attempt_at=None)
    else:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=now + RETRY_AFTER[number - 1])
    with transaction.atomic():
        # Locked, so that the webhook can't be removed between the two writes.
        current = (
            WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).values_list("claim", flat=True)
        )
        claim_now = current.first()
        if claim_now is None:
            return "removed"
        WebhookAttempt.objects.create(
            account_id=delivery.account_id,
            delivery=delivery,
            number=number,
            at=now,
            status_code=status,
            error=error,
            duration_ms=took,
        )
        if claim_now != delivery.claim:
            return "claim lost"  # this attempt outlasted its lease: another one has it now
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return str(fields["status"])


# --- the background tasks -----------------------------------------------------------------------


@background()
def webhook_delivery_send(delivery_id: int, claim: str) -> str:
    """Make one attempt at a delivery (see :func:`webhook_delivery_attempt`)."""
    return webhook_delivery_attempt(delivery_id=delivery_id, claim=claim)


@every(SWEEP_EVERY, name="webhooks-deliver-due")
@background()
def webhook_deliveries_due() -> dict[str, int]:
    """Queue the deliveries whose next attempt is due (see :func:`webhook_deliveries_queue_due`)."""
    return {"queued": webhook_deliveries_queue_due()}
