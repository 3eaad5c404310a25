from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "ringback.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "What works: credit, rates and learning"

    def ready(self) -> None:
        # The periodic refresh must be known to every worker.
        from ringback.insights import tasks  # noqa: F401
