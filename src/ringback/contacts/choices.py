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
