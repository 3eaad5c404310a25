"""Loading many rows at once: building the tables' secondary indexes after the rows, not during.

Each row inserted into a B-tree index whose keys arrive in random order (names, numbers, emails)
costs a walk down the tree and, once the index outgrows the page cache, page writes. Building an
index once over all the rows sorts them instead. ``indexes_deferred`` does that on SQLite when
an import adds more rows than the tables hold (rebuilding a big table's index for a few rows
would cost more than it saves).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["indexes_deferred", "table_rows"]


def table_rows(*, connection: BaseDatabaseWrapper, table: str) -> int:
    """About how many rows ``table`` holds (its highest id: no scan)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        return int(cursor.fetchone()[0])


@contextmanager
def indexes_deferred(
    *, connection: BaseDatabaseWrapper, tables: Sequence[str], keep_leading: Sequence[str] = ()
) -> Iterator[list[str]]:
    """Within a transaction on SQLite, drop the non-unique indexes of ``tables`` and create them
    again at the end, before the commit. Yields the names of the indexes dropped.

    Unique indexes stay (they enforce constraints), and so do indexes whose first column is in
    ``keep_leading`` (those the loading itself looks rows up by). A rollback, or leaving with an
    exception, puts the indexes back as they were: SQLite's schema changes are transactional.
    Other databases: nothing is dropped.
    """
    if connection.vendor != "sqlite":
        yield []
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred needs a transaction")
    dropped: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f"SELECT \"unique\" FROM pragma_index_list('{table}') WHERE name = %s", [name])
                unique = cursor.fetchone()[0]
                cursor.execute(f"SELECT name FROM pragma_index_info('{name}') ORDER BY seqno LIMIT 1")
                leading = cursor.fetchone()[0]
                if unique or leading in keep_leading:
                    continue
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append((name, sql))
    yield [name for name, _ in dropped]
    if connection.needs_rollback:
        return  # the rollback restores them
    with connection.cursor() as cursor:
        for _, sql in dropped:
            cursor.execute(sql)
