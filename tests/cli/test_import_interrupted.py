"""An import killed half-way (kill -9) or interrupted (Ctrl-C) leaves the database as it was; one
confirmed on the import page and killed is reported plainly on the next visit, and cleaned up.

Real processes on a real SQLite file: the import is started, we wait until it has written
rows (its write-ahead log grows past a few megabytes inside the open transaction), then stop it.
"""

from __future__ import annotations

import html
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

RINGBACK = Path(sys.executable).with_name("ringback")
ROWS = 40_000

pytestmark = pytest.mark.skipif(not RINGBACK.exists(), reason=f"no console script at {RINGBACK}")


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RINGBACK_", "DJANGO_"))}
    env.update(RINGBACK_DATA_DIR=str(data), USER="dana")
    return env


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Path, Path]:
    """A data directory holding one contact already, and a big Google-style CSV to import."""
    data = tmp_path / "data"
    small = tmp_path / "one.csv"
    small.write_text("name,phone\nAnn Before,646-555-0101\n", encoding="utf-8")
    done = subprocess.run(
        [str(RINGBACK), "import", str(small)],
        env=environment(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as out:
        out.write("First Name,Last Name,Phone 1 - Label,Phone 1 - Value,E-mail 1 - Label,E-mail 1 - Value\n")
        for i in range(ROWS):
            out.write(
                f"Person{i},Big,Mobile,+1 212 {200 + i // 10000} {i % 10000:04},* Home,p{i}@example.com\n"
            )
    return data, big


def contents(data: Path) -> tuple[str, list[tuple[str, str]], int]:
    with sqlite3.connect(data / "ringback.sqlite3") as db:
        (check,) = db.execute("PRAGMA integrity_check").fetchone()
        people = db.execute("SELECT first_name, last_name FROM contacts_contact ORDER BY id").fetchall()
        (phones,) = db.execute("SELECT count(*) FROM contacts_phone").fetchone()
    return check, people, phones


def start_and_wait_for_writes(data: Path, big: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [str(RINGBACK), "import", str(big)],
        env=environment(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wal = data / "ringback.sqlite3-wal"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the import finished before it could be interrupted"
        if wal.exists() and wal.stat().st_size > 4_000_000:
            return process
        time.sleep(0.02)
    process.kill()
    pytest.fail("the import never wrote anything")


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (its reader process, for a big import)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_an_import_killed_half_way_leaves_nothing(seeded: tuple[Path, Path]) -> None:
    data, big = seeded
    process = start_and_wait_for_writes(data, big)
    reader = children(process.pid)
    assert len(reader) == 1, "a big import reads the file in a second process"
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    check, people, phones = contents(data)
    assert check == "ok"
    assert people == [("Ann", "Before")] and phones == 1
    deadline = time.monotonic() + 30
    while running(reader[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(reader[0]), "the reader process outlived the import it was reading for"


def test_ctrl_c_stops_the_import_and_says_nothing_was_imported(seeded: tuple[Path, Path]) -> None:
    data, big = seeded
    process = start_and_wait_for_writes(data, big)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted: nothing was imported" in stderr
    check, people, phones = contents(data)
    assert check == "ok" and people == [("Ann", "Before")] and phones == 1
    listed = subprocess.run(
        [str(RINGBACK), "imports"], env=environment(data), capture_output=True, text=True, timeout=120
    )
    assert "Interrupted (nothing saved)" in listed.stdout


#: A web request in a process of its own: ``confirm FILE`` stores FILE as an upload and presses
#: "Import" on it (printing the token first), then runs the background worker that imports it, in
#: the same process as `ringback serve` does; ``visit`` prints the import page.
DRIVER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "ringback.settings"
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from ringback.accounts.models import Account
from ringback.contacts.uploads import upload_store

account = Account.objects.get()
client = Client()
client.force_login(account.memberships.get().user)
if sys.argv[1] == "confirm":
    path = sys.argv[2]
    with open(path, "rb") as handle:
        kept = upload_store(account=account, upload=SimpleUploadedFile("big.csv", handle.read()))
    print(kept.token, flush=True)
    client.post(f"/contacts/import/{kept.token}/", {"file_format": "google"})
    from ringback.jobs.worker import worker_run  # the import runs in the worker, as in `ringback serve`
    worker_run(until_idle=True)
else:
    print(client.get("/contacts/import/").content.decode())
"""


def test_a_server_killed_during_a_confirm_is_reported_on_the_next_visit(
    seeded: tuple[Path, Path], tmp_path: Path
) -> None:
    data, big = seeded
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    env = environment(data) | {"RINGBACK_ALLOWED_HOSTS": "testserver"}
    process = subprocess.Popen(
        [sys.executable, str(driver), "confirm", str(big)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    token = process.stdout.readline().strip()
    wal, deadline = data / "ringback.sqlite3-wal", time.monotonic() + 120
    while not (wal.exists() and wal.stat().st_size > 4_000_000):
        assert process.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() < deadline, "the import never wrote anything"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    leftovers = sorted(p.name for p in (data / "uploads").iterdir())
    assert leftovers == [f"1-{token}.importing", f"1-{token}.name"]  # what the crash left
    check, people, phones = contents(data)
    assert check == "ok" and people == [("Ann", "Before")] and phones == 1

    visit = subprocess.run(
        [sys.executable, str(driver), "visit"], env=env, capture_output=True, text=True, timeout=120
    )
    assert visit.returncode == 0, visit.stderr
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", visit.stdout)).split())
    assert (
        "The import of big.csv was interrupted before it finished (the server stopped); nothing was "
        "imported. Choose the file again to import it."
    ) in page
    assert sorted(p.name for p in (data / "uploads").iterdir()) == []
    assert contents(data)[1:] == ([("Ann", "Before")], 1)
    listed = subprocess.run(
        [str(RINGBACK), "imports"], env=environment(data), capture_output=True, text=True, timeout=120
    )
    assert "big.csv" in listed.stdout and "Interrupted (nothing saved)" in listed.stdout
