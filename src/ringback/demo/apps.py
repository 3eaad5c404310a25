from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo account: a seller with a few hundred contacts at every stage (``ringback demo``)."""

    name = "ringback.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"
