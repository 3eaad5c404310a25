"""What the whole test suite shares: the SQLite test database is a file, as in real use.

pytest-django's default SQLite test database lives in memory with a shared cache. Its locks are
per table and don't wait (no busy timeout), so two threads writing at once get "database table
is locked" instead of queueing as they do on the real file. The double-submit tests fire twenty
requests at once, so every SQLite run uses a file in WAL mode with the app's busy timeout and
immediate transactions, like ``ringback serve``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests explore new random examples on every run on a developer's machine, which is how
# they find bugs. CI runs the "ci" profile: the same examples for the same test every time, so a
# build passes or fails on the code, not on the luck of one run (RINGBACK_HYPOTHESIS_PROFILE=ci,
# set by .ci/run). Loaded here, before any test module applies its own @settings.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.load_profile(os.environ.get("RINGBACK_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Put the SQLite test database in a file of the session's temporary directory."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path: Path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)
