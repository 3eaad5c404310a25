from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _ensure_search_index(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from ringback.contacts.search_index import search_index_ensure

    search_index_ensure(connection=connections[using])


class ContactsConfig(AppConfig):
    name = "ringback.contacts"
    label = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_search_index, sender=self, dispatch_uid="contacts-search-index")
