"""Webhooks: the URLs an account registers for events, each delivery of an event to one of them
(the exact body sent, signed at each attempt), and every attempt (the delivery log)."""

from __future__ import annotations

from django.db import models

from ringback.accounts.models import Account
from ringback.hooks.choices import TO_SEND, DeliveryStatus, WebhookEvent

#: The longest URL a webhook may have.
URL_MAX = 2000


class Webhook(models.Model):
    """A URL of the seller's other tools that is sent the events it subscribes to.

    The secret signs every delivery (see ``docs/webhooks.md``); it is kept in the database
    because signing needs it, as the mailbox's password is kept to read the mailbox.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=URL_MAX)
    #: The :class:`WebhookEvent` values it subscribes to (never ``ping``).
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["account", "active"], name="webhook_account_idx")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent to one webhook: the body is fixed when the event happens; each attempt signs
    it afresh. ``claim`` is the token of the one background task that may send it now (with
    ``claimed_until``, how long that task holds it): two workers never send the same attempt."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    #: The body's ``id`` and the ``Ringback-Delivery`` header: receivers de-duplicate on it.
    event_id = models.UUIDField(unique=True)
    #: The exact JSON sent (ASCII: the bytes are its characters).
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's question: which deliveries are due?
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=TO_SEND),
                name="webhook_delivery_due_idx",
            ),
            # A webhook's delivery log, newest first.
            models.Index(fields=["account", "webhook", "created_at"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One attempt at a delivery: when, the HTTP status it got (or none) and the error, how long."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}"
