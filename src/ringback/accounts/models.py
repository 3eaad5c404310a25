"""Accounts: every row in Ringback belongs to one; a user acts for exactly one."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models

from ringback.accounts.choices import MailboxSecurity, Role, TokenScope


class Account(models.Model):
    """A seller's (or a team's) workspace, with the settings scripts and scheduling use."""

    name = models.CharField(max_length=200)
    seller_name = models.CharField(max_length=200, blank=True)
    seller_phone = models.CharField(max_length=40, blank=True)
    business_name = models.CharField(max_length=200, blank=True)
    postal_address = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    default_region = models.CharField(max_length=2, default="US")
    calling_start = models.TimeField(default=time(8))
    calling_end = models.TimeField(default=time(21))
    daily_call_capacity = models.PositiveSmallIntegerField(default=25)
    new_per_callback = models.FloatField(default=1.0)
    suppress_days = models.PositiveSmallIntegerField(default=180)
    #: The days the seller works, e.g. ``mon,tue,wed,thu,fri`` (see ``core.workweek``).
    working_days = models.CharField(max_length=27, default="mon,tue,wed,thu,fri")
    #: Minutes a working day the seller gives to follow-up: the agenda is planned to fit them.
    minutes_per_day = models.PositiveSmallIntegerField(default=60)
    #: The seller's own estimates, in minutes, overriding ``core.agenda.Costs`` (e.g. {"card": 8}).
    item_minutes = models.JSONField(default=dict, blank=True)
    #: Days a mailed card takes to arrive: a birthday card is due this many days before.
    mail_lead_days = models.PositiveSmallIntegerField(default=4)
    #: The seller's day (their zone) long-overdue steps were last spread over the coming days.
    overdue_replanned_on = models.DateField(null=True, blank=True)
    #: The secret in the calendar feed's address (``secrets.token_urlsafe``); None while the
    #: feed is off. A new one replaces it (the old address stops at once); unique to look it up.
    calendar_token = models.CharField(max_length=64, null=True, blank=True, unique=True, default=None)
    #: Email steps: the most sent a day (the seller's day); the rest waits for the next day.
    email_daily_cap = models.PositiveIntegerField(default=200, db_default=200)
    #: The address emails to contacts come from and replies go to ("" : the owner's login email).
    email_from = models.EmailField(blank=True, default="", db_default="")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name

    @property
    def seller_first_name(self) -> str:
        return (self.seller_name or self.name).split()[0] if (self.seller_name or self.name) else ""


class Membership(models.Model):
    """Links a login to the account it acts for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OWNER)

    def __str__(self) -> str:
        return f"{self.user} @ {self.account}"


class Vacation(models.Model):
    """Days the seller is away: nothing is planned inside them."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="vacations")
    first_day = models.DateField()
    last_day = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="vacation_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_day} – {self.last_day}"


class SubmissionToken(models.Model):
    """A form sent once: its one-time token and the answer it got.

    A form carries a fresh token; the first POST with it stores this row in the same transaction
    as what it changes, and a second POST with the same token and the same values (a double tap,
    a resend) gets the stored answer again instead of acting twice. Rows older than a day are
    deleted.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the form's values")
    status = models.PositiveSmallIntegerField(default=0)
    headers = models.JSONField(default=dict, help_text="The answer's own headers (Location, HX-...)")
    messages = models.JSONField(default=list, help_text="[level, text, tags] of the flash messages")
    body = models.BinaryField(default=b"", help_text="The answer's body, zlib-compressed")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "token"], name="submission_token_once")]
        indexes = [models.Index(fields=["account", "created_at"], name="submission_age_idx")]

    def __str__(self) -> str:
        return f"{self.token} ({self.status})"


class Mailbox(models.Model):
    """The seller's IMAP mailbox, where Ringback reads replies (one per account), and how far.

    ``uidvalidity`` and ``last_uid`` say what was read: a message is read once, when its UID is
    past ``last_uid`` under the same UIDVALIDITY. The password is the one the seller typed (an app
    password for Gmail and Microsoft 365); it is kept in the database, as the server's own SMTP
    password is kept in its environment.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="mailbox")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=10, choices=MailboxSecurity.choices, default=MailboxSecurity.SSL)
    username = models.CharField(max_length=255)
    password = models.CharField(max_length=500)
    folder = models.CharField(max_length=200, default="INBOX")
    enabled = models.BooleanField(default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    #: The last check's failure, as the seller should read it ("" : it worked).
    error = models.CharField(max_length=500, blank=True)
    error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"


class ApiToken(models.Model):
    """A personal access token of the REST API: ``rb_<prefix>_<secret>``, shown once.

    Only ``prefix`` (to find the row) and the SHA-256 of the whole token are kept, never the token
    itself. A revoked token stays listed (when, and what it was called) but lets nothing in; its
    name may be given to a new one: one live token per name and account.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ_WRITE)
    #: The public part of the token (``secrets.token_hex(6)``): how a request's token is found.
    prefix = models.CharField(max_length=12, unique=True)
    #: SHA-256 (hex) of the whole token.
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    #: The last request it let in, to the minute (written at most once a minute).
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_live_name_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (rb_{self.prefix}_…)"

    @property
    def shown(self) -> str:
        """How lists show the token: its public start only."""
        return f"rb_{self.prefix}_…"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
