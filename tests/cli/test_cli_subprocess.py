"""The installed ``ringback`` console script, run as a real process on a fresh SQLite file.

No test database here: ``RINGBACK_DATA_DIR`` points at an empty temporary directory and
``RINGBACK_DATABASE_URL`` is unset, so the command creates its SQLite file, applies the
migrations itself and creates the owner account on first use.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

RINGBACK = Path(sys.executable).with_name("ringback")


def run(
    data_dir: Path, *args: str | Path, now: str = "2026-11-23T09:00:00-05:00"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RINGBACK_", "DJANGO_"))}
    env.update(RINGBACK_DATA_DIR=str(data_dir), RINGBACK_NOW=now, USER="dana", COLUMNS="120")
    return subprocess.run(
        [str(RINGBACK), *map(str, args)],
        env=env,
        cwd=data_dir.parent,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not RINGBACK.exists(), reason=f"no console script at {RINGBACK}")
def test_installed_command_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(
        "name,phone,email,tags\n"
        "Mary Lopez,305-555-0142,mary@example.com,new\n"
        "John Smith,(212) 555-0199,john@example.com,new\n",
        encoding="utf-8",
    )

    imported = run(data, "import", csv_file)
    assert imported.returncode == 0, imported
    assert "Created 2 contacts" in imported.stdout
    assert "Created the owner account 'dana'" in imported.stderr
    database = data / "ringback.sqlite3"
    assert database.exists()
    with sqlite3.connect(database) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
        (applied,) = db.execute("SELECT count(*) FROM django_migrations").fetchone()
    assert mode == "wal"
    assert applied > 0

    enrolled = run(data, "enroll", "four-calls-two-weeks", "--tag", "new")
    assert enrolled.returncode == 0, enrolled
    assert enrolled.stderr == ""

    agenda = run(data, "agenda", "--json")
    assert agenda.returncode == 0, agenda
    items = json.loads(agenda.stdout)["items"]
    assert sorted((i["contact_name"], i["kind"], i["step"], i["attempt"]) for i in items) == [
        ("John Smith", "call", "call-1", 1),
        ("Mary Lopez", "call", "call-1", 1),
    ]
    assert {i["phone"] for i in items} == {"+13055550142", "+12125550199"}
    assert all(i["window"]["start"].startswith("2026-11-23T") for i in items)

    # Errors: one line on stderr naming the problem, exit code 1, stdout empty, nothing written.
    for args, words in (
        (("log", "mary", "left-a-message"), "unknown outcome 'left-a-message'"),
        (
            ("enroll", "four-calls-two-weeks", "--contact", "mary"),
            "Mary Lopez is already in four-calls-two-weeks",
        ),
    ):
        failed = run(data, *args)
        assert failed.returncode == 1, failed
        assert failed.stderr.startswith("error: ") and failed.stderr.count("\n") == 1, failed
        assert words in failed.stderr, failed
        assert failed.stdout == ""
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM activities_touch").fetchone() == (0,)
        assert db.execute(
            "SELECT count(*), min(status), max(status) FROM playbooks_enrollment"
        ).fetchone() == (
            2,
            "active",
            "active",
        )
