from django.db import models


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENGAGED = "engaged", "Engaged"
    EXHAUSTED = "exhausted", "Exhausted"
    STOPPED = "stopped", "Stopped"


RUNNING_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)


class LearnedKind(models.TextChoices):
    VARIANTS = "variants", "A step's messages"
    CALL_TIMES = "call-times", "When people answer"
