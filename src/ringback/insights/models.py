"""Pre-counted results: what the Insights page sums, and when they were last counted."""

from __future__ import annotations

from django.db import models

from ringback.accounts.models import Account
from ringback.activities.models import Touch
from ringback.insights.choices import CreditMatch, Dimension


class InsightCount(models.Model):
    """The results of one day (in the seller's zone) for one key of one dimension, within one
    playbook ("" for touches outside any, "*" for all of them together): ``touches`` and ``responses`` (for messages, the
    responses credited to that day's messages; for calls, the calls and those that connected).
    The refresh rebuilds an account's rows from its touches; the page only sums them."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    playbook = models.CharField(max_length=63, blank=True)
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    key = models.CharField(max_length=200)
    label = models.CharField(max_length=300)
    touches = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["account", "playbook", "day"], name="insight_count_day_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day", "playbook", "dimension", "key"], name="insight_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key}: {self.responses}/{self.touches}"


class InsightRefresh(models.Model):
    """When an account's results were last counted, from how many touches, and what was found."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField()
    #: The newest touch counted (its ``created_at``): a refresh is due when a newer one exists.
    newest_touch_at = models.DateTimeField(null=True, blank=True)
    touches = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    uncredited = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"insights of account {self.account_id} at {self.refreshed_at:%Y-%m-%d %H:%M}"


class ResponseCredit(models.Model):
    """One response and the message credited with it (None: nothing in the window before it),
    how it was matched, and the outbound touches that led there (their ids, oldest first)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    response = models.OneToOneField(Touch, on_delete=models.CASCADE, related_name="credit")
    message = models.ForeignKey(
        Touch, on_delete=models.CASCADE, null=True, blank=True, related_name="credits"
    )
    match = models.CharField(max_length=8, choices=CreditMatch.choices)
    chain = models.JSONField(default=list, blank=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"response {self.response_id} credited to {self.message_id}"
