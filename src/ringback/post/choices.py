from django.db import models


class CardFormatChoice(models.TextChoices):
    """The card formats (the values of :class:`ringback.printing.cards.CardFormat`)."""

    POSTCARD = "postcard", "Postcard, 4×6 in (the address printed on it)"
    A6 = "a6", "Postcard, A6 148×105 mm (the address printed on it)"
    FOLDED = "folded", "Folded note card, A2 4¼×5½ in (in an envelope)"


class LabelSheetChoice(models.TextChoices):
    """The label sheets (the values of :class:`ringback.printing.labels.SheetName`), or none."""

    NONE = "none", "No labels"
    AVERY_5160 = "5160", "Avery 5160 (US Letter, 30 a sheet)"
    AVERY_L7163 = "l7163", "Avery L7163 (A4, 14 a sheet)"


class CardState(models.TextChoices):
    """What marking a batch mailed did with one of its cards."""

    MAILED = "mailed", "Logged mailed"
    SKIPPED = "skipped", "Skipped"
    #: Logged mailed by the batch, then taken back with Undo (it may be marked again).
    UNDONE = "undone", "Logged mailed, then undone"
