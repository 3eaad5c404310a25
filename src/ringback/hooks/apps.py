from django.apps import AppConfig


class HooksConfig(AppConfig):
    name = "ringback.hooks"
    label = "hooks"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Webhooks: events sent to the seller's other tools"

    def ready(self) -> None:
        # The periodic sweep of due deliveries must be known to every worker.
        from ringback.hooks import delivery  # noqa: F401
