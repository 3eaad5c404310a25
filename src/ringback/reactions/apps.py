from django.apps import AppConfig


class ReactionsConfig(AppConfig):
    """Connects every cross-app reaction (:mod:`ringback.reactions.receivers`) at start-up."""

    name = "ringback.reactions"
    label = "reactions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ringback.reactions import receivers

        receivers.connect()
