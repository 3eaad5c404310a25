"""The contact search's trigram index (see ringback.contacts.search_index)."""

from django.db import migrations


def create(apps, schema_editor):
    from ringback.contacts.search_index import search_index_ensure

    search_index_ensure(connection=schema_editor.connection)


def drop(apps, schema_editor):
    from ringback.contacts.search_index import search_index_drop

    search_index_drop(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
