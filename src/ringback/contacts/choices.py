from django.db import models


class Warmth(models.TextChoices):
    STRANGER = "stranger", "Stranger"
    MET_ONCE = "met-once", "Met once"
    ACQUAINTED = "acquainted", "Acquainted"
    CUSTOMER = "customer", "Customer"


class ContactStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    CUSTOMER = "customer", "Customer"
    HOST = "host", "Host"
    RECRUIT = "recruit", "Recruit"
    NETWORKING = "networking", "Networking contact"


class PhoneLabel(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    WORK = "work", "Work"
    HOME = "home", "Home"
    OTHER = "other", "Other"


class EmailLabel(models.TextChoices):
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class ImportStatus(models.TextChoices):
    DONE = "done", "Imported"
    DRY_RUN = "dry-run", "Dry run (nothing saved)"
    FAILED = "failed", "Failed (nothing saved)"
    INTERRUPTED = "interrupted", "Interrupted (nothing saved)"


class TextConsentSource(models.TextChoices):
    """How someone agreed to get texts on a number."""

    IN_PERSON = "in-person", "told me in person"
    BY_TEXT = "by-text", "by text"
    WEB_FORM = "web-form", "on a web form"
    IMPORTED = "imported", "with an imported list"


class TextsStoppedHow(models.TextChoices):
    """What stopped texts to a number."""

    REPLY = "reply", "they replied"
    BY_HAND = "by-hand", "you stopped them"


class SuppressionReason(models.TextChoices):
    """Why no email goes to an address any more."""

    UNSUBSCRIBED = "unsubscribed", "unsubscribed"
    BOUNCED = "bounced", "bounced (the address does not work)"


class ImportJobStatus(models.TextChoices):
    """Where an import started from the web stands (it runs in the background)."""

    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported"
