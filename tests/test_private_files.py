"""Ringback's data files can be read by their owner only, whatever the umask.

The installed ``ringback`` command runs as a real process with umask 022 (the usual default, which
leaves new files readable by everybody) on an empty data directory: ``ringback demo`` creates the
directory, the secret key and the SQLite database; a password-reset request writes a mail file; a
write through the ORM while the test looks creates the database's WAL and shared-memory files.
Every directory must then be 0700 and every file 0600.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

RINGBACK = Path(sys.executable).with_name("ringback")
NOW = "2026-11-23T09:00:00-05:00"

#: Run inside ``ringback shell`` while the data directory is in use: set the demo's reset email,
#: ask for a reset link through the whole web stack (a file mail), then write through the ORM and,
#: with that connection still open (so the WAL and shared-memory files exist), list every mode.
SHELL = """
import json, os
from pathlib import Path
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
user = get_user_model().objects.get(username="demo")
user.email = "sally@example.com"
user.save()
page = Client(HTTP_HOST="127.0.0.1").post("/password/reset/", {"email": "sally@example.com"})
assert page.status_code == 302, page.status_code
connection.ensure_connection()
with connection.cursor() as cursor:
    cursor.execute("BEGIN IMMEDIATE")
    cursor.execute("UPDATE auth_user SET first_name = 'Sally' WHERE username = 'demo'")
    modes = {}
    root = Path(settings.DATA_DIR)
    for path in [root, *sorted(root.rglob("*"))]:
        modes[str(path.relative_to(root))] = [path.is_dir(), oct(path.stat().st_mode & 0o777)]
    cursor.execute("COMMIT")
print("MODES=" + json.dumps(modes))
"""


def _umask_022() -> None:
    os.umask(0o022)


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RINGBACK_", "DJANGO_"))}
    env.update(RINGBACK_DATA_DIR=str(data_dir), RINGBACK_NOW=NOW, RINGBACK_EMAIL_BACKEND="file", USER="dana")
    return subprocess.run(
        [str(RINGBACK), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_umask_022,
        check=False,
    )


@pytest.mark.skipif(not RINGBACK.exists(), reason=f"no console script at {RINGBACK}")
def test_every_file_ringback_writes_is_private_under_umask_022(tmp_path: Path) -> None:
    data = tmp_path / "ringback-data"
    demo = run(data, "demo", "--contacts", "30")
    assert demo.returncode == 0, demo.stderr
    shell = run(data, "shell", "--no-imports", "-c", SHELL)
    assert shell.returncode == 0, shell.stderr
    line = next(x for x in shell.stdout.splitlines() if x.startswith("MODES="))
    modes: dict[str, list[object]] = json.loads(line.removeprefix("MODES="))

    names = set(modes)
    for expected in (
        "ringback.sqlite3",
        "ringback.sqlite3-wal",
        "ringback.sqlite3-shm",
        "secret_key",
        "mail",
    ):
        assert expected in names, f"{expected} was not written: {sorted(names)}"
    mails = [name for name in names if name.startswith("mail/")]
    assert len(mails) == 1, sorted(names)

    wrong = {name: mode for name, (is_dir, mode) in modes.items() if mode != ("0o700" if is_dir else "0o600")}
    assert wrong == {}, f"readable by others (want dirs 0700, files 0600): {wrong}"
    # What is left once the process ended keeps its mode too.
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "ringback.sqlite3").stat().st_mode) == 0o600


def test_the_secret_key_is_private_from_its_first_byte(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Created with its mode, not made private afterwards: no chmod may be needed, even with umask 0."""
    from ringback.accounts.tests.test_security import load_settings

    def no_chmod(*args: object, **kwargs: object) -> None:
        raise AssertionError("the key was written readable and tightened afterwards")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    monkeypatch.delenv("RINGBACK_SECRET_KEY", raising=False)
    previous = os.umask(0)
    try:
        first = load_settings(monkeypatch, tmp_path / "data")
    finally:
        os.umask(previous)
    key = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert len(first.SECRET_KEY) >= 50
    # The next start reads the same key.
    assert load_settings(monkeypatch, tmp_path / "data").SECRET_KEY == first.SECRET_KEY


def test_files_left_readable_by_an_older_version_are_made_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ringback.accounts.tests.test_security import load_settings

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    for name in ("secret_key", "ringback.sqlite3"):
        (data / name).write_text("x" * 60 if name == "secret_key" else "")
        (data / name).chmod(0o644)
    monkeypatch.delenv("RINGBACK_SECRET_KEY", raising=False)
    monkeypatch.delenv("RINGBACK_DATABASE_URL", raising=False)
    load_settings(monkeypatch, data)
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in [data, *data.iterdir()]} == {
        "data": "0o700",
        "secret_key": "0o600",
        "ringback.sqlite3": "0o600",
    }
