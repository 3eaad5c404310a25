from django.db import models

from ringback.core.outbox import OutboxStatus


class EmailStatus(models.TextChoices):
    """An outgoing email's state (the moves are in :mod:`ringback.core.outbox`)."""

    QUEUED = OutboxStatus.QUEUED.value, "Queued"
    CLAIMED = OutboxStatus.CLAIMED.value, "Being sent"
    SENDING = OutboxStatus.SENDING.value, "Being sent"
    SENT = OutboxStatus.SENT.value, "Sent"
    FAILED = OutboxStatus.FAILED.value, "Failed"
    UNKNOWN = OutboxStatus.UNKNOWN.value, "Maybe sent: you decide"
    CANCELLED = OutboxStatus.CANCELLED.value, "Not sent"
