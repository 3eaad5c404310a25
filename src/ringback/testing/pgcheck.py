"""Exit 0 when the test PostgreSQL is reachable, 3 when it is not (1 if it is required).

Used by ``make test``: PostgreSQL tests skip with a clear message on a machine without it, and
fail in CI (``RINGBACK_REQUIRE_POSTGRES=1``).
"""

from __future__ import annotations

import os
import sys

import dj_database_url
import psycopg

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ringback"


def main() -> int:
    url = os.environ.get("RINGBACK_TEST_POSTGRES_URL") or DEFAULT_URL
    config = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=5,
        ):
            pass
    except psycopg.Error as exc:
        required = os.environ.get("RINGBACK_REQUIRE_POSTGRES") == "1"
        sys.stderr.write(f"PostgreSQL at {config['HOST']}:{config['PORT']} is unreachable: {exc}\n")
        if required:
            sys.stderr.write("RINGBACK_REQUIRE_POSTGRES=1: the PostgreSQL run is mandatory.\n")
            return 1
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
