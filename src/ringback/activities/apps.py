from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "ringback.activities"
    label = "activities"
    default_auto_field = "django.db.models.BigAutoField"
