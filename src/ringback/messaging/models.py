"""The message library: messages and their immutable versions, and offers."""

from __future__ import annotations

from django.db import models

from ringback.accounts.models import Account
from ringback.core.playbook import OFFER_MAX_DAYS
from ringback.messaging.choices import MessageKind


class Message(models.Model):
    """A message a playbook refers to by name; its words live in its versions."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=63)
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    title = models.CharField(max_length=200)
    #: A last message (R8): it asks for an easy yes or no and says no call is coming.
    is_last = models.BooleanField(default=False)
    #: Shipped with Ringback and not changed by the seller: upgrades may bring a new version.
    is_builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="message_unique_name")]

    def __str__(self) -> str:
        return self.name


class MessageVersion(models.Model):
    """One immutable version of a message's words; a touch records the version it used."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    #: The shipped version it came from, for a built-in message.
    builtin_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["message", "-number"]
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="message_version_unique")]

    def __str__(self) -> str:
        return f"{self.message.name} v{self.number}"


class Offer(models.Model):
    """A time-sensitive offer a card announces (R9); it ends ``valid_days`` after the card is sent."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=63)
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    valid_days = models.PositiveSmallIntegerField(default=14)
    is_builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="offer_unique_name"),
            models.CheckConstraint(
                condition=models.Q(valid_days__gte=1, valid_days__lte=OFFER_MAX_DAYS),
                name="offer_valid_days_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MessageAdvice(models.Model):
    """What the account's results say of a message (R13), written by the insights refresh: its
    finished touches and responses against the account's usual rate for its kind, the posterior
    probability that it does worse, and whether that is credible enough to say "change it"."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="advice")
    touches = models.PositiveIntegerField()
    responses = models.PositiveIntegerField()
    #: The account's rate for messages of the same kind (this one left out).
    usual_touches = models.PositiveIntegerField()
    usual_responses = models.PositiveIntegerField()
    probability_worse = models.FloatField()
    flagged = models.BooleanField(default=False)
    #: The checks the message's latest version fails (the sentences of ``core.checks``).
    checks = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"advice on {self.message.name}"
