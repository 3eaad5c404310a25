"""Playbooks (versioned YAML) and enrollments (one contact running one playbook version)."""

from __future__ import annotations

from django.db import models

from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.playbooks.choices import RUNNING_STATUSES, EnrollmentStatus, LearnedKind


class Playbook(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="playbooks")
    name = models.CharField(max_length=63)
    title = models.CharField(max_length=200)
    is_builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="playbook_unique_name")]

    def __str__(self) -> str:
        return self.name


class PlaybookVersion(models.Model):
    """One immutable version of a playbook's YAML; an enrollment keeps the version it started on."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="playbook_version_unique")]

    def __str__(self) -> str:
        return f"{self.playbook.name} v{self.number}"


class Enrollment(models.Model):
    """A contact running a playbook version: its next step and due window, or how it ended."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="enrollments")
    version = models.ForeignKey(PlaybookVersion, on_delete=models.RESTRICT, related_name="enrollments")
    status = models.CharField(
        max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    step_index = models.PositiveSmallIntegerField(default=0)
    due_start = models.DateTimeField(null=True, blank=True)
    due_end = models.DateTimeField(null=True, blank=True)
    seed = models.BigIntegerField()
    state = models.JSONField(default=dict, help_text="Engine state: calls made, retries, offer dates")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=200, blank=True)
    recontact_at = models.DateTimeField(null=True, blank=True)
    #: A pause with an end (an out-of-office notice: until the day they are back); it resumes then.
    paused_until = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True, default="", db_default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["account", "status", "due_start"], name="enrollment_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(status__in=RUNNING_STATUSES),
                name="one_running_enrollment_per_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} in {self.version}"


class Learned(models.Model):
    """What planning learned from the account's results, written by the insights refresh and read
    when an enrollment is planned: the Beta posterior of each message of a step with several
    (``kind`` variants, ``key`` "playbook/step", ``data`` {message: [alpha, beta, retired,
    responses, touches]}), or calls and connects per weekday and part of the day (``kind``
    call-times, ``key`` "account", "warmth:<warmth>", "tag:<tag>" or "contact:<id>", ``data``
    {"<weekday>-<part>": [connects, calls]})."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=LearnedKind.choices)
    key = models.CharField(max_length=200)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "kind", "key"], name="learned_unique_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
