from django.db import models

from ringback.core.inbound import InboundKind


class MessageKind(models.TextChoices):
    """What a message read from the seller's mailbox was."""

    REPLY = InboundKind.REPLY.value, "A reply"
    OUT_OF_OFFICE = InboundKind.OUT_OF_OFFICE.value, "Out of office"
    AUTO_REPLY = InboundKind.AUTO_REPLY.value, "An automatic answer"
    BOUNCE = InboundKind.BOUNCE.value, "A bounce"
    OWN = InboundKind.OWN.value, "Your own mail"
