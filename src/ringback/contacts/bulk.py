"""Loading many rows at once: building the tables' secondary indexes after the rows, not during.

Each row inserted into a B-tree index whose keys arrive in random order (names, numbers, emails)
costs a walk down the tree and, once the index outgrows the page cache, page writes. Building an
index once over all the rows sorts them instead. ``indexes_deferred`` does that on SQLite when
an import adds more rows than the tables hold (rebuilding a big table's index for a few rows
would cost more than it saves).
"""

from __future__ import annotations

import os
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
    ``keep_leading`` (those the loading itself looks rows up by) unless a unique index starts
    with that column too. A rollback, or leaving with an
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
                'SELECT m.name, m.sql, l."unique", '
                "(SELECT i.name FROM pragma_index_info(m.name) AS i ORDER BY i.seqno LIMIT 1) "
                "FROM sqlite_master AS m JOIN pragma_index_list(m.tbl_name) AS l ON l.name = m.name "
                "WHERE m.type = 'index' AND m.tbl_name = %s AND m.sql IS NOT NULL",
                [table],
            )
            found = cursor.fetchall()
            # A look-up column led by a unique index is served by it: its plain index can go too.
            served = {leading for _, _, unique, leading in found if unique}
            for name, sql, unique, leading in found:
                if unique or (leading in keep_leading and leading not in served):
                    continue
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append((name, sql))
    yield [name for name, _ in dropped]
    if connection.needs_rollback:
        return  # the rollback restores them
    with connection.cursor() as cursor:
        # Building an index sorts the rows: let SQLite's sorter use the other cores.
        cursor.execute("PRAGMA threads")
        threads = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA threads = {min(max((os.cpu_count() or 1) - 1, threads), 8)}")
        for _, sql in dropped:
            cursor.execute(sql)
        cursor.execute(f"PRAGMA threads = {int(threads)}")
