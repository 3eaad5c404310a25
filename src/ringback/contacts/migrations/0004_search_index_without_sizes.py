"""The SQLite search index made again without per-row column sizes (``columnsize=0``).

Search only asks which rows match, never ranks them, so the sizes FTS5 keeps for ranking were a
table written for every contact, email and number for nothing (a quarter of the cost of indexing
an import). PostgreSQL's indexes are unchanged.
"""

from django.db import migrations


def remake(apps, schema_editor):
    from ringback.contacts.search_index import UNFOLDED, search_index_drop, search_index_ensure

    if schema_editor.connection.vendor == "sqlite":
        search_index_drop(connection=schema_editor.connection, indexed=UNFOLDED)
        search_index_ensure(connection=schema_editor.connection, indexed=UNFOLDED)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_import_run")]

    operations = [migrations.RunPython(remake, migrations.RunPython.noop)]
