"""Search ignores accents and case: folded copies of names, companies and email addresses
(``search_name``, ``search_company``, ``search_text``; see ringback.contacts.folded), filled for
the rows saved before, and the trigram index moved from the names as typed to them."""

from django.db import migrations

import ringback.contacts.folded

#: Rows read and written at a time while filling the new columns.
BATCH = 5000


def drop_unfolded(apps, schema_editor):
    from ringback.contacts.search_index import UNFOLDED, search_index_drop

    search_index_drop(connection=schema_editor.connection, indexed=UNFOLDED)


def ensure_unfolded(apps, schema_editor):
    from ringback.contacts.search_index import UNFOLDED, search_index_ensure

    search_index_ensure(connection=schema_editor.connection, indexed=UNFOLDED)


def _fill(cursor, table, sources, targets):
    """Write each row's folded columns, ``targets[i]`` from the sources ``sources[i]``."""
    from ringback.contacts.folded import folded

    columns = sorted({c for group in sources for c in group})
    assignments = ", ".join(f"{target} = %s" for target in targets)
    last = 0
    while True:
        cursor.execute(
            f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > %s ORDER BY id LIMIT {BATCH}", [last]
        )
        rows = cursor.fetchall()
        if not rows:
            return
        updates = []
        for pk, *values in rows:
            row = dict(zip(columns, values, strict=True))
            updates.append((*(folded(*(row[c] or "" for c in group)) for group in sources), pk))
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", updates)
        last = rows[-1][0]


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        _fill(
            cursor,
            "contacts_contact",
            [("first_name", "last_name"), ("company",)],
            ["search_name", "search_company"],
        )
        _fill(cursor, "contacts_email", [("address",)], ["search_text"])


def ensure_folded(apps, schema_editor):
    from ringback.contacts.search_index import FOLDED, search_index_ensure

    search_index_ensure(connection=schema_editor.connection, indexed=FOLDED)


def drop_folded(apps, schema_editor):
    from ringback.contacts.search_index import FOLDED, search_index_drop

    search_index_drop(connection=schema_editor.connection, indexed=FOLDED)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_import_run_caps_and_upload")]

    operations = [
        migrations.RunPython(drop_unfolded, ensure_unfolded),
        migrations.AddField(
            model_name="contact",
            name="search_company",
            field=ringback.contacts.folded.FoldedField(help_text="Company, folded", sources=["company"]),
        ),
        migrations.AddField(
            model_name="contact",
            name="search_name",
            field=ringback.contacts.folded.FoldedField(
                help_text="First and last name, folded", sources=["first_name", "last_name"]
            ),
        ),
        migrations.AddField(
            model_name="email",
            name="search_text",
            field=ringback.contacts.folded.FoldedField(help_text="The address, folded", sources=["address"]),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(ensure_folded, drop_folded),
    ]
