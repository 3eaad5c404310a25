"""The index behind the contact list's search: trigrams of names, companies, emails and numbers.

Search finds any part of a word ("mith" finds Smithson), which a B-tree index cannot serve: without
a trigram index every search reads every contact. It compares the folded copies of names,
companies and addresses (``search_name``, ``search_company``, ``search_text``: no accents, no
case, see ``contacts.folded``) with the words typed, folded the same way, so "nunez" finds
"Núñez" and "JOSÉ" finds "jose". On SQLite the index is three FTS5 tables with the ``trigram``
tokenizer kept up to date by triggers (so every write path, bulk inserts included, keeps it
right); on PostgreSQL it is ``pg_trgm`` GIN indexes on the same columns, which the ORM's
ordinary ``contains`` lookups use.

Django's SQLite schema editor rebuilds a table (dropping its triggers) when a later migration
alters it, so :func:`search_index_ensure` runs after every ``migrate`` and puts back whatever is
missing, rebuilding the index from the tables when it had to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger(__name__)

#: FTS5's own default: merge once this many segments of a level have piled up.
FTS_AUTOMERGE = 4
#: Trigram search needs this many characters; shorter terms are matched by reading the rows.
MIN_TERM = 3


@dataclass(frozen=True, slots=True)
class Indexed:
    """A table whose text columns are indexed, and the FTS5 table that indexes them on SQLite.

    ``expression``: what PostgreSQL's index holds of each column (``{}`` is the column), the
    expression the search compares."""

    table: str
    columns: tuple[str, ...]
    expression: str = "{}"

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"


CONTACT = Indexed("contacts_contact", ("search_name", "search_company"))
EMAIL = Indexed("contacts_email", ("search_text",))
PHONE = Indexed("contacts_phone", ("number",))  # digits: nothing to fold
#: The index on the folded search columns, as migration 0006 made it.
FOLDED = (CONTACT, EMAIL, PHONE)
#: The index search uses today.
INDEXED = FOLDED

#: The index as migrations 0002 to 0005 made it, on the names and addresses as typed (searched
#: with ``icontains``, which compares ``UPPER(col::text)`` on PostgreSQL); migration 0006 replaced
#: it with :data:`INDEXED`.
UNFOLDED = (
    Indexed("contacts_contact", ("first_name", "last_name", "company"), "UPPER(({})::text)"),
    Indexed("contacts_email", ("address",), "UPPER(({})::text)"),
    PHONE,
)


def _values(prefix: str, columns: Sequence[str]) -> str:
    return ", ".join(f"{prefix}.{c}" for c in columns)


def _insert_trigger(item: Indexed) -> str:
    """The trigger that indexes a new row (dropped while an import fills the index in bulk)."""
    return _sqlite_statements(item)[1]


def _sqlite_statements(item: Indexed) -> list[str]:
    """The FTS5 table, then its insert, delete and update triggers."""
    cols = ", ".join(item.columns)
    delete = (
        f"INSERT INTO {item.fts}({item.fts}, rowid, {cols}) VALUES ('delete', old.id, "
        f"{_values('old', item.columns)});"
    )
    insert = f"INSERT INTO {item.fts}(rowid, {cols}) VALUES (new.id, {_values('new', item.columns)});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {item.fts} USING fts5({cols}, content='{item.table}', "
        f"content_rowid='id', tokenize='trigram', columnsize=0)",
        f"CREATE TRIGGER IF NOT EXISTS {item.fts}_ai AFTER INSERT ON {item.table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {item.fts}_ad AFTER DELETE ON {item.table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {item.fts}_au AFTER UPDATE OF {cols} ON {item.table} "
        f"BEGIN {delete} {insert} END",
    ]


def _postgres_indexes(indexed: Sequence[Indexed]) -> dict[str, str]:
    statements = {}
    for item in indexed:
        for column in item.columns:
            expression = item.expression.format(column)
            name = f"{item.table}_{column}_trgm"
            statements[name] = (
                f"CREATE INDEX IF NOT EXISTS {name} ON {item.table} USING gin ({expression} gin_trgm_ops)"
            )
    return statements


def _sqlite_objects(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        return {row[0] for row in cursor.fetchall()}


def _with_columns(connection: BaseDatabaseWrapper, indexed: Sequence[Indexed]) -> list[Indexed]:
    """The items whose table exists with all the columns to index (a database migrated only
    part of the way may not have them yet)."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        return [
            item
            for item in indexed
            if item.table in tables
            and set(item.columns)
            <= {c.name for c in connection.introspection.get_table_description(cursor, item.table)}
        ]


def search_index_ensure(
    *, connection: BaseDatabaseWrapper, indexed: Sequence[Indexed] = INDEXED
) -> list[str]:
    """Create whatever part of the search index is missing on ``connection``; return what was made.

    On SQLite a table whose index or triggers were missing is re-indexed from its rows. On
    PostgreSQL without the ``pg_trgm`` extension (and no right to create it) search still works,
    reading every row; a warning says so. A table without the columns to index (not migrated
    that far) is left alone. ``indexed``: the index as a migration made it (default: today's).
    """
    made: list[str] = []
    indexed = _with_columns(connection, indexed)
    if connection.vendor == "sqlite":
        existing = _sqlite_objects(connection)
        for item in indexed:
            wanted = {item.fts, f"{item.fts}_ai", f"{item.fts}_ad", f"{item.fts}_au"}
            if wanted <= existing:
                continue
            with connection.cursor() as cursor:
                for statement in _sqlite_statements(item):
                    cursor.execute(statement)
                cursor.execute(f"INSERT INTO {item.fts}({item.fts}) VALUES ('rebuild')")
            made.append(item.fts)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError as exc:
                log.warning("contact search will read every row: cannot create pg_trgm (%s)", exc)
                return made
            indexes = _postgres_indexes(indexed)
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(indexes)])
            present = {row[0] for row in cursor.fetchall()}
            for name, statement in indexes.items():
                if name not in present:
                    cursor.execute(statement)
                    made.append(name)
    return made


def search_index_drop(*, connection: BaseDatabaseWrapper, indexed: Sequence[Indexed] = INDEXED) -> None:
    """Remove the search index (the reverse of the migration that adds it); ``indexed`` as in
    :func:`search_index_ensure`."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for item in indexed:
                for suffix in ("_ai", "_ad", "_au"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {item.fts}{suffix}")
                cursor.execute(f"DROP TABLE IF EXISTS {item.fts}")
        elif connection.vendor == "postgresql":
            for name in _postgres_indexes(indexed):
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


def fts_phrase(term: str) -> str:
    """``term`` as an FTS5 string (matched as a substring by the trigram tokenizer)."""
    return '"' + term.replace('"', '""') + '"'


@contextmanager
def search_index_deferred(*, connection: BaseDatabaseWrapper) -> Iterator[Callable[[], None]]:
    """Within a transaction, index rows inserted in bulk a table at a time instead of one
    trigger call per row (ten times faster on SQLite's trigram tokenizer).

    Yields ``catch_up``: call it after each batch of inserts, before any row of that batch is
    updated or deleted (the update and delete triggers stay on and expect indexed rows). Must be
    entered inside ``transaction.atomic``: the insert triggers are dropped and put back in the
    same transaction, so a rollback restores them. Other databases: ``catch_up`` does nothing.
    """
    if connection.vendor != "sqlite":
        yield lambda: None
        return
    if not connection.in_atomic_block:
        raise RuntimeError("search_index_deferred needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
        if not all(f"{item.fts}_ai" in triggers for item in INDEXED):
            yield lambda: None  # no index to keep (e.g. before migrations)
            return
        indexed: dict[str, int] = {}
        for item in INDEXED:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {item.table}")
            indexed[item.table] = cursor.fetchone()[0]
            cursor.execute(f"DROP TRIGGER {item.fts}_ai")
            # FTS5 merges its segments as it goes; in bulk it is cheaper to let them pile up for
            # the transaction and merge on later writes (a third less work, searches as fast).
            cursor.execute(f"INSERT INTO {item.fts}({item.fts}, rank) VALUES ('automerge', 0)")

    def catch_up() -> None:
        with connection.cursor() as cursor:
            for item in INDEXED:
                cols = ", ".join(item.columns)
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {item.table}")
                last = cursor.fetchone()[0]
                if last > indexed[item.table]:
                    cursor.execute(
                        f"INSERT INTO {item.fts}(rowid, {cols}) SELECT id, {cols} FROM {item.table} "
                        "WHERE id > %s AND id <= %s",
                        [indexed[item.table], last],
                    )
                    indexed[item.table] = last

    yield catch_up
    if connection.needs_rollback:
        return  # the rollback puts the triggers back
    catch_up()
    with connection.cursor() as cursor:
        for item in INDEXED:
            cursor.execute(_insert_trigger(item))
            cursor.execute(f"INSERT INTO {item.fts}({item.fts}, rank) VALUES ('automerge', {FTS_AUTOMERGE})")
