from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "ringback.playbooks"
    label = "playbooks"
    default_auto_field = "django.db.models.BigAutoField"
