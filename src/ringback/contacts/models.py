"""Contacts: people a seller follows up with, their numbers, emails, addresses and promises."""

from __future__ import annotations

from django.db import models

from ringback.accounts.models import Account
from ringback.contacts.choices import (
    ContactStatus,
    EmailLabel,
    ImportJobStatus,
    ImportStatus,
    PhoneLabel,
    SuppressionReason,
    TextConsentSource,
    TextsStoppedHow,
    Warmth,
)
from ringback.contacts.folded import FoldedField, FoldedModel, FoldedQuerySet


class Tag(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="tag_unique_per_account")]

    def __str__(self) -> str:
        return self.name


class Contact(FoldedModel):
    """A person: prospect, customer, host, recruit or networking contact.

    ``search_name`` and ``search_company`` are the names and the company folded (no accents, no
    case), written from them on every save: what search compares (see ``contacts.folded``).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    warmth = models.CharField(max_length=12, choices=Warmth.choices, default=Warmth.MET_ONCE)
    status = models.CharField(max_length=12, choices=ContactStatus.choices, default=ContactStatus.PROSPECT)
    notes = models.TextField(blank=True)
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_year = models.PositiveSmallIntegerField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    #: The seller set ``time_zone`` (else it was taken from a number or the address): it is then
    #: the only zone the contact is called in (see ``contacts.selectors.contact_recipient``).
    time_zone_set = models.BooleanField(default=False, db_default=False)
    country = models.CharField(max_length=2, blank=True)
    subdivision = models.CharField(max_length=10, blank=True)
    tags = models.ManyToManyField(Tag, related_name="contacts", blank=True)
    do_not_contact = models.BooleanField(default=False)
    suppressed_until = models.DateTimeField(null=True, blank=True)
    callback_requested_at = models.DateTimeField(null=True, blank=True)
    last_touched_at = models.DateTimeField(null=True, blank=True)
    last_called_at = models.DateTimeField(
        null=True, blank=True, help_text="Last call that reached their line"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    search_name = FoldedField(sources=("first_name", "last_name"), help_text="First and last name, folded")
    search_company = FoldedField(sources=("company",), help_text="Company, folded")

    objects = FoldedQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["account", "last_name", "first_name"], name="contact_name_idx"),
            models.Index(fields=["account", "birthday_month", "birthday_day"], name="contact_birthday_idx"),
            models.Index(fields=["account", "callback_requested_at"], name="contact_callback_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birthday_month__isnull=True)
                | models.Q(
                    birthday_month__gte=1,
                    birthday_month__lte=12,
                    birthday_day__gte=1,
                    birthday_day__lte=31,
                ),
                name="contact_birthday_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.company or f"Contact {self.pk}"


class Phone(models.Model):
    """One of a contact's numbers, with what they agreed to on it.

    Texts go to a mobile number only once its owner agreed to them (``text_consent_at``) and
    until they stop them (``texts_stopped_at``: a STOP reply, or the seller by hand). Consent and
    stop belong to the number: re-typing it forgets both (see ``contacts.services``).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=64, help_text="E.164 when valid, else as written")
    extension = models.CharField(max_length=20, blank=True)
    label = models.CharField(max_length=10, choices=PhoneLabel.choices, default=PhoneLabel.MOBILE)
    ok_at_work = models.BooleanField(default=False)
    is_valid = models.BooleanField(default=True)
    is_bad = models.BooleanField(default=False, help_text="Marked wrong number")
    text_consent_at = models.DateTimeField(null=True, blank=True, help_text="When they agreed to texts")
    # The text columns have a database default: an import inserts numbers with plain SQL.
    text_consent_source = models.CharField(
        max_length=12,
        choices=TextConsentSource.choices,
        blank=True,
        default="",
        db_default="",
        help_text="How they agreed to texts",
    )
    text_consent_note = models.CharField(max_length=500, blank=True, default="", db_default="")
    texts_stopped_at = models.DateTimeField(null=True, blank=True, help_text="When texts were stopped")
    texts_stopped_how = models.CharField(
        max_length=10, choices=TextsStoppedHow.choices, blank=True, default="", db_default=""
    )
    texts_stopped_by = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="Their words that stopped texts (STOP), or why you did",
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "number"], name="phone_number_idx")]
        constraints = [
            # Consent is a when and a how, together; so is a stop.
            models.CheckConstraint(
                condition=models.Q(text_consent_at__isnull=True, text_consent_source="")
                | (models.Q(text_consent_at__isnull=False) & ~models.Q(text_consent_source="")),
                name="phone_text_consent_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(texts_stopped_at__isnull=True, texts_stopped_how="", texts_stopped_by="")
                | (models.Q(texts_stopped_at__isnull=False) & ~models.Q(texts_stopped_how="")),
                name="phone_texts_stopped_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def may_text(self) -> bool:
        """Whether a text may go to this number: a mobile, not flagged wrong, whose owner agreed
        to texts and did not stop them."""
        return (
            self.label == PhoneLabel.MOBILE
            and self.is_valid
            and not self.is_bad
            and self.text_consent_at is not None
            and self.texts_stopped_at is None
        )


class Email(FoldedModel):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254)
    label = models.CharField(max_length=10, choices=EmailLabel.choices, default=EmailLabel.HOME)
    search_text = FoldedField(sources=("address",), help_text="The address, folded")

    objects = FoldedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "address"], name="email_address_idx")]

    def __str__(self) -> str:
        return self.address


class EmailSuppression(models.Model):
    """An address the account sends no email to: its owner unsubscribed, or it bounced.

    Kept by address, not by contact, so it holds when the contact is deleted and the address
    comes back with an import, or when it is typed again on another contact. One row per address
    and account (the first reason stays; an unsubscribe is never lifted by the seller).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    #: Lower-cased, as compared.
    address = models.CharField(max_length=254)
    reason = models.CharField(max_length=12, choices=SuppressionReason.choices)
    #: What they or their mail server said (the bounce's diagnostic, "one-click unsubscribe"...).
    detail = models.CharField(max_length=500, blank=True)
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["account", "address"], name="email_suppressed_once")]

    def __str__(self) -> str:
        return f"{self.address} ({self.reason})"


class Address(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=20, blank=True)
    street = models.TextField(blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return ", ".join(
            p for p in (self.street, self.city, self.region, self.postal_code, self.country) if p
        )


class Promise(models.Model):
    """Something the seller said they would send or do ("the article on X")."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="promises")
    text = models.TextField()
    due_on = models.DateField(null=True, blank=True)
    kept_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["kept_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.text


class ImportRun(models.Model):
    """The report of one import of a contact file, kept to be read later."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(default=0, help_text="People read from the file")
    created = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text="[row, reason] of each skipped row")
    capped = models.PositiveIntegerField(
        default=0, help_text="Rows with numbers, emails or addresses left out beyond a contact's caps"
    )
    left_out = models.JSONField(
        default=list,
        help_text="{row, contact, contact_id, numbers, emails, addresses} of each row with some left out",
    )
    doubtful = models.PositiveIntegerField(
        default=0, help_text="Rows not merged: they share a line with someone whose name differs"
    )
    moved = models.PositiveIntegerField(default=0, help_text="Values moved to the notes or left out")
    notices = models.JSONField(
        default=list,
        help_text="{kind (doubtful or moved), row, contact, contact_id, field, value, reason, other, other_id}"
        " of each doubtful match and of each value moved to the notes or left out",
    )
    error = models.TextField(blank=True)
    upload = models.CharField(
        max_length=22, blank=True, help_text="The token of the uploaded file imported (imports from the web)"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["account", "started_at"], name="import_time_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"


class ImportJob(models.Model):
    """An import confirmed on the web, run by the background worker: once per uploaded file (the
    unique constraint), with its report once it is done. How far it is lives in a small file next
    to the upload (see :mod:`ringback.contacts.import_jobs`): the import is one transaction, so
    nothing it writes to the database shows until it ends."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    upload = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=8, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    run = models.ForeignKey(ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error = models.CharField(max_length=1000, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "upload"], name="import_job_once_per_upload")
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
