from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "ringback.inbox"
    label = "inbox"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Replies read from the seller's mailbox"

    def ready(self) -> None:
        # The periodic poll must be known to every worker.
        from ringback.inbox import tasks  # noqa: F401
