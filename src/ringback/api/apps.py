from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ringback.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "The REST API"

    def ready(self) -> None:
        # The periodic purge must be known to every worker.
        from ringback.api import tasks  # noqa: F401
