from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """The message library (voicemail scripts, openers, card notes, emails, texts) and offers."""

    name = "ringback.messaging"
    label = "messaging"
    verbose_name = "Message library"
    default_auto_field = "django.db.models.BigAutoField"
