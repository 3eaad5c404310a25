from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ringback.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "The REST API"
