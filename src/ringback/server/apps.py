from django.apps import AppConfig


class ServerConfig(AppConfig):
    """The web server (``ringback serve``): waitress, and the checks before it listens."""

    name = "ringback.server"
    label = "server"
    default_auto_field = "django.db.models.BigAutoField"
