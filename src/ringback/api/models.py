from __future__ import annotations

from django.db import models

from ringback.accounts.models import Account


class IdempotentRequest(models.Model):
    """A POST made with an ``Idempotency-Key``: what it was (its fingerprint) and the answer it
    got, replayed to every retry with the same key for a day. One row per (account, key): the
    unique constraint is what makes a request with the key run once, even when twenty retries
    arrive together."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    #: SHA-256 of the method, path, query and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="one_request_per_idempotency_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
