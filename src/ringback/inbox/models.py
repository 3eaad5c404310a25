"""Messages read from the seller's mailbox: one row per message, once."""

from __future__ import annotations

from django.db import models

from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.inbox.choices import MessageKind
from ringback.outbox.models import OutboundEmail


class InboundMessage(models.Model):
    """A message of the seller's mailbox that Ringback read, what it was and what it did.

    Unique by (account, UIDVALIDITY, UID): written in the same transaction as its effect (the
    reply logged, the playbook paused, the address marked bad) and as the mailbox's progress, so
    a poll cut short and started again, or two polls at once, read each message once.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=14, choices=MessageKind.choices)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    first_lines = models.CharField(max_length=400, blank=True)
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered = models.ForeignKey(
        OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    #: How it was matched to the contact: "message-id" (In-Reply-To/References), "sender", "".
    matched_by = models.CharField(max_length=12, blank=True)
    #: What Ringback did, in words ("logged their reply", "paused until Mon 7 Dec"...).
    effect = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["-read_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "uidvalidity", "uid"], name="inbound_read_once")
        ]
        indexes = [models.Index(fields=["account", "message_id"], name="inbound_message_id_idx")]

    def __str__(self) -> str:
        return f"{self.kind} from {self.sender}: {self.subject}"
