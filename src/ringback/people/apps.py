from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """The Contacts tab and the contact commands: pages that show a person with their plan and
    history, so they sit above the contacts, playbooks and activities apps."""

    name = "ringback.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"
