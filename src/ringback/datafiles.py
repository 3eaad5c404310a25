"""Files in Ringback's data directory that only their owner may read, whatever the umask.

The data directory holds the SQLite database (password hashes and every contact), its WAL and
shared-memory files, the secret key that signs sessions and reset links, and mail files with live
reset links. Each is created with its final mode by ``os.open``/``mkdir`` (never written first and
made private afterwards), and files that an older version left readable are tightened on start.
No Django imports here: ``settings.py`` uses this module before Django is set up.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
#: What SQLite writes next to a database file; it gives each the database file's own mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int) -> None:
    """Drop the group and other bits of ``path`` if it is ours and has any."""
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        os.chmod(path, stat.S_IMODE(info.st_mode) & mode)


def private_dir(path: Path) -> Path:
    """``path`` as a directory only its owner can enter (created 0700; an existing one tightened)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read: created empty with mode 0600 when missing,
    tightened when it exists with wider permissions. Its content is never changed."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _tighten(path, FILE_MODE)
    else:
        os.close(fd)
    return path


def private_sqlite(database: Path) -> Path:
    """Create the SQLite file 0600 before SQLite does, so that its WAL, shared-memory and journal
    files (which SQLite creates with the database file's mode) are 0600 too; tighten existing ones."""
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            _tighten(companion, FILE_MODE)
    return database


def secret_key_read_or_create(path: Path) -> str:
    """The secret key kept in ``path``; a new random one is written there first if it is missing.

    The new key goes into a temporary file created 0600 with ``O_CREAT | O_EXCL`` and is then hard-
    linked to ``path``, which fails if the name exists: two processes starting at once agree on one
    key, and nobody ever reads a half-written or readable key.
    """
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(50))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process wrote it first: use theirs
            except OSError:
                _write_new(path, temporary.read_text(encoding="ascii"))  # no hard links here
        finally:
            temporary.unlink(missing_ok=True)
    _tighten(path, FILE_MODE)
    return path.read_text(encoding="ascii").strip()


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to a new file created 0600; leave an existing file alone."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
