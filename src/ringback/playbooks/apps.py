from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "ringback.playbooks"
    label = "playbooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The periodic tasks must be known to every worker.
        from ringback.playbooks import tasks  # noqa: F401
