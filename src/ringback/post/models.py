"""Cards in the mail: an account's print settings and the batches it marked mailed."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from ringback.accounts.models import Account
from ringback.activities.models import Touch
from ringback.contacts.models import Contact
from ringback.playbooks.models import Enrollment
from ringback.post.choices import CardFormatChoice, CardState, LabelSheetChoice

#: The calibration offset's bounds, in millimetres (``ringback.printing.labels.OFFSET_LIMIT``).
OFFSET_BOUND = Decimal("5.0")


class PrintSettings(models.Model):
    """How an account prints: the card format, the label sheet and the labels' calibration offset.

    An account without a row prints with the defaults for its region (see
    ``post.selectors.print_settings_get``).
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    card_format = models.CharField(max_length=10, choices=CardFormatChoice.choices)
    label_sheet = models.CharField(max_length=10, choices=LabelSheetChoice.choices)
    #: Millimetres every label moves right (x) and down (y): printers and templates disagree.
    offset_x = models.DecimalField(max_digits=3, decimal_places=1, default=Decimal(0))
    offset_y = models.DecimalField(max_digits=3, decimal_places=1, default=Decimal(0))
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "print settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(card_format__in=CardFormatChoice.values)
                & models.Q(label_sheet__in=LabelSheetChoice.values)
                & models.Q(offset_x__gte=-OFFSET_BOUND, offset_x__lte=OFFSET_BOUND)
                & models.Q(offset_y__gte=-OFFSET_BOUND, offset_y__lte=OFFSET_BOUND),
                name="print_settings_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.card_format}, labels {self.label_sheet}"


class PrintBatch(models.Model):
    """One "Mark batch mailed": the printed cards of a day logged mailed together."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    #: The agenda day the cards were printed for (the seller's zone).
    day = models.DateField()
    marked_at = models.DateTimeField()
    mailed = models.PositiveIntegerField(default=0, help_text="Cards logged mailed")
    skipped = models.PositiveIntegerField(default=0, help_text="Cards already dealt with, not logged")

    class Meta:
        ordering = ["marked_at", "id"]
        verbose_name_plural = "print batches"
        indexes = [models.Index(fields=["account", "day"], name="print_batch_day_idx")]

    def __str__(self) -> str:
        return f"{self.day}: {self.mailed} mailed at {self.marked_at:%H:%M}"


class PrintBatchCard(models.Model):
    """One card of a batch: the agenda step it was printed for and what marking did with it.

    A card (an enrollment's step due at a time) is logged mailed by a batch at most once: the
    unique constraint backs the locks of ``batch_mark_mailed``. A card taken back with Undo
    becomes ``undone`` and may be marked again.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(PrintBatch, on_delete=models.CASCADE, related_name="cards")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.SET_NULL, null=True, related_name="+")
    step = models.CharField(max_length=63)
    due = models.DateTimeField()
    state = models.CharField(max_length=10, choices=CardState.choices)
    touch = models.OneToOneField(Touch, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    #: Why it was not logged (skipped).
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "step", "due"],
                condition=models.Q(state=CardState.MAILED),
                name="print_card_mailed_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.step} {self.state}"
