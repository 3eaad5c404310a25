from django.db import models

from ringback.core.checks import MessageKind as CoreKind
from ringback.core.messages import kind_label


class MessageKind(models.TextChoices):
    """The kinds of :class:`ringback.core.checks.MessageKind`, as database choices."""

    VOICEMAIL = CoreKind.VOICEMAIL.value, kind_label(CoreKind.VOICEMAIL)
    OPENER = CoreKind.OPENER.value, kind_label(CoreKind.OPENER)
    CARD = CoreKind.CARD.value, kind_label(CoreKind.CARD)
    EMAIL = CoreKind.EMAIL.value, kind_label(CoreKind.EMAIL)
    TEXT = CoreKind.TEXT.value, kind_label(CoreKind.TEXT)
