"""Touches (the append-only log of every contact with a person) and appointments."""

from __future__ import annotations

from typing import Any

from django.db import models

from ringback.accounts.models import Account
from ringback.activities.choices import AppointmentStatus, Channel, Direction, Outcome
from ringback.contacts.models import Contact, Promise
from ringback.messaging.models import MessageVersion
from ringback.playbooks.models import Enrollment


class AppendOnlyError(Exception):
    """Touches are never changed or deleted one by one."""


class TouchQuerySet(models.QuerySet["Touch"]):
    def kept(self) -> TouchQuerySet:
        """The touches that were not undone: what counts (done today, credited, greeted...)."""
        return self.filter(undo__isnull=True)


class Touch(models.Model):
    """One entry of the log: a call attempt and its outcome, a note mailed, a reply received."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="touches")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="touches"
    )
    step = models.CharField(max_length=63, blank=True)
    attempt = models.PositiveSmallIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUT)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    template = models.CharField(max_length=100, blank=True)
    #: The exact words the touch used, when they came from the message library.
    message_version = models.ForeignKey(
        MessageVersion, on_delete=models.RESTRICT, null=True, blank=True, related_name="touches"
    )
    phone = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    created_at = models.DateTimeField()
    #: What logging it changed, as it was before: what an undo puts back (see ``touch_undo``).
    before = models.JSONField(default=dict, blank=True)

    objects = TouchQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["account", "contact", "at"], name="touch_contact_idx"),
            models.Index(fields=["account", "at"], name="touch_time_idx"),
            # The last outcome logged, to undo (Today asks on every view).
            models.Index(fields=["account", "created_at"], name="touch_logged_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.channel} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("a touch is never changed once logged")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("a touch is never deleted")


class TouchUndo(models.Model):
    """A touch taken back shortly after it was logged: the touch stays in the log, marked undone,
    and what it changed was put back. Once per touch (the one-to-one is unique)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    touch = models.OneToOneField(Touch, on_delete=models.CASCADE, related_name="undo")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"undo of {self.touch} at {self.at:%Y-%m-%d %H:%M}"


class PromiseKept(models.Model):
    """The touch that kept a promise: once per promise (the one-to-one is unique), until that
    touch is undone (undo deletes this link and reopens the promise)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    promise = models.OneToOneField(Promise, on_delete=models.CASCADE, related_name="kept_by")
    touch = models.OneToOneField(Touch, on_delete=models.CASCADE, related_name="kept_promise")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.promise} kept at {self.at:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    """A booked phone call at a fixed time."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="appointments")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=15)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    created_at = models.DateTimeField()
    #: How many times it was moved or cancelled: the calendar feed's SEQUENCE (calendars keep
    #: the copy with the highest).
    sequence = models.PositiveIntegerField(default=0)
    #: When it was last moved or cancelled (None: never).
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["account", "starts_at"], name="appointment_time_idx")]
        constraints = [
            # Booked twice (a double tap, two tabs, two commands) is still one appointment.
            models.UniqueConstraint(
                fields=["contact", "starts_at"],
                condition=models.Q(status=AppointmentStatus.SCHEDULED),
                name="appointment_once_per_contact_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} at {self.starts_at:%Y-%m-%d %H:%M}"
