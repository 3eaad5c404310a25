from django.apps import AppConfig


class PostConfig(AppConfig):
    name = "ringback.post"
    label = "post"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Cards in the mail"
