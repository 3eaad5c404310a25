"""Migration 0006: contacts and emails saved before it get their folded search columns, indexed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

#: The schema before the folded columns, other apps' later migrations unapplied too (a new
#: account setting), so that the historical models match the tables.
BEFORE = [("contacts", "0005_import_run_caps_and_upload"), ("accounts", "0003_account_overdue_replanned_on")]
AFTER = [("contacts", "0006_search_folded")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.fixture
def back_to_the_latest() -> Iterator[None]:
    """Whatever happens, the database ends at the latest migrations for the tests after this."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def indexed_ids(table: str, column: str, word: str) -> set[int]:
    """The rows the search index finds ``word`` in (SQLite: the FTS5 table; PostgreSQL: the
    trigram index, forced)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s", [f'"{word}"'])
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"SELECT id FROM {table} WHERE {column} LIKE %s", [f"%{word}%"])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_rows_saved_before_are_folded_and_indexed_and_going_back_restores_the_old_index() -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    Account = apps.get_model("accounts", "Account")
    Contact = apps.get_model("contacts", "Contact")
    Email = apps.get_model("contacts", "Email")
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    account = Account.objects.create(name="Sally", created_at=now)
    ana = Contact.objects.create(
        account=account,
        first_name="Ana",
        last_name="Núñez",
        company="Lefèvre SA",
        created_at=now,
        updated_at=now,
    )
    tom = Contact.objects.create(
        account=account, first_name="Tom", last_name="Jones", created_at=now, updated_at=now
    )
    mail = Email.objects.create(account=account, contact=tom, address="tom@müller.example")

    apps = migrate(AFTER).loader.project_state(AFTER).apps
    Contact = apps.get_model("contacts", "Contact")
    Email = apps.get_model("contacts", "Email")
    assert Contact.objects.get(pk=ana.pk).search_name == "ana nunez"
    assert Contact.objects.get(pk=ana.pk).search_company == "lefevre sa"
    assert Contact.objects.get(pk=ana.pk).last_name == "Núñez"
    assert (Contact.objects.get(pk=tom.pk).search_name, Contact.objects.get(pk=tom.pk).search_company) == (
        "tom jones",
        "",
    )
    assert Email.objects.get(pk=mail.pk).search_text == "tom@muller.example"
    assert indexed_ids("contacts_contact", "search_name", "nunez") == {ana.pk}
    assert indexed_ids("contacts_contact", "search_company", "lefevre") == {ana.pk}
    assert indexed_ids("contacts_email", "search_text", "muller") == {mail.pk}

    migrate(BEFORE)
    if connection.vendor == "sqlite":  # the index of names as written, as before
        assert indexed_ids("contacts_contact", "", "núñez") == {ana.pk}
        assert indexed_ids("contacts_email", "", "müller") == {mail.pk}
