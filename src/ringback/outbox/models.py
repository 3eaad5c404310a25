"""The outbox: every email Ringback sends for a seller, one row per step of an enrollment."""

from __future__ import annotations

from django.db import models

from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.messaging.models import MessageVersion
from ringback.outbox.choices import EmailStatus
from ringback.playbooks.models import Enrollment


class OutboundEmail(models.Model):
    """One email to a contact and where it stands (see :class:`ringback.core.outbox.OutboxStatus`).

    ``key`` is the idempotency key (one per step visit of an enrollment, unique), so a second
    scheduler or a double click finds the row already there; ``message_id`` is fixed when the row
    is made, so every try carries the same Message-ID and a reply can be matched to it.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="outbound_emails")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_emails"
    )
    step = models.CharField(max_length=63, blank=True)
    key = models.CharField(max_length=200, unique=True)
    message_id = models.CharField(max_length=255, unique=True)
    message_version = models.ForeignKey(
        MessageVersion, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    template = models.CharField(max_length=100, blank=True)
    to_address = models.CharField(max_length=254)
    from_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    #: Sent by the seller's Send button (a ``send: manual`` step, or "send now").
    manual = models.BooleanField(default=False)
    #: Times it was handed to a worker.
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=600, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    #: The background task sending it (its retries and lease are the task's).
    task_id = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    #: Why it was not sent, for a cancelled one.
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["account", "status"], name="outbound_status_idx"),
            models.Index(fields=["account", "queued_at"], name="outbound_queued_idx"),
            models.Index(fields=["account", "to_address"], name="outbound_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject} ({self.status})"
