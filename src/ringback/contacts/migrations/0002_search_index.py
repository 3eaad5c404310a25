"""The contact search's trigram index (see ringback.contacts.search_index), on the names as typed
(``UNFOLDED``; migration 0006 moved it to the folded search columns)."""

from django.db import migrations


def create(apps, schema_editor):
    from ringback.contacts.search_index import UNFOLDED, search_index_ensure

    search_index_ensure(connection=schema_editor.connection, indexed=UNFOLDED)


def drop(apps, schema_editor):
    from ringback.contacts.search_index import UNFOLDED, search_index_drop

    search_index_drop(connection=schema_editor.connection, indexed=UNFOLDED)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
