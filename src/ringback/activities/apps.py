from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "ringback.activities"
    label = "activities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The email tasks, periodic ones among them, must be known to every worker.
        from ringback.activities import emailing  # noqa: F401
