"""Contact files uploaded on the import page, kept on disk between the preview and the import.

An upload is written to ``DATA_DIR/uploads/<account id>-<token>`` (``token`` from
:func:`secrets.token_urlsafe`), with its original name beside it in ``<account id>-<token>.name``
for the messages. Only the account whose id starts the file name can use it. An import claims
the file by renaming it (so two clicks on "Import" run it once), and uploads older than a day
are deleted whenever a new one is stored.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from ringback.accounts.models import Account
from ringback.core.errors import ImportFailed
from ringback.core.interchange import Card, FileFormat
from ringback.core.interchange.readers import detect_format, open_cards

#: The largest contact file the import page takes, in bytes.
UPLOAD_LIMIT = 100 * 1024 * 1024
#: Uploads older than this (seconds) are deleted when a new one is stored.
KEEP_SECONDS = 24 * 60 * 60
#: What a token looks like (``secrets.token_urlsafe(16)``: 22 URL-safe characters).
TOKEN_PATTERN = r"[A-Za-z0-9_-]{22}"

_TOKEN = re.compile(rf"\A{TOKEN_PATTERN}\Z")
_NAME_SUFFIX = ".name"
_CLAIMED_SUFFIX = ".importing"
_HEAD_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """An uploaded contact file on disk: its token, where it is, and the name it was sent with."""

    token: str
    path: Path
    name: str


def uploads_dir() -> Path:
    """The folder uploads are kept in (``DATA_DIR/uploads``)."""
    return Path(settings.DATA_DIR) / "uploads"


def _stem(account: Account, token: str) -> str:
    return f"{account.pk}-{token}"


def upload_store(*, account: Account, upload: UploadedFile[bytes]) -> StoredUpload:
    """Write ``upload`` to the uploads folder under a new token for ``account`` and return it.

    Only the owner can read the file (mode 0600). Uploads of any account older than a day are
    deleted first. The size limit is the form's to check.
    """
    folder = uploads_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    uploads_clean_old()
    token = secrets.token_urlsafe(16)
    path = folder / _stem(account, token)
    name = Path(upload.name or "contacts").name or "contacts"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        _name_path(path).write_text(name, encoding="utf-8")
    except BaseException:
        _remove(path)
        raise
    return StoredUpload(token=token, path=path, name=name)


def _name_path(path: Path) -> Path:
    return path.with_name(path.name + _NAME_SUFFIX)


def _remove(path: Path) -> None:
    for each in (path, _name_path(path)):
        each.unlink(missing_ok=True)


def upload_get(*, account: Account, token: str) -> StoredUpload | None:
    """The account's upload with this token, or ``None`` if there is none (never stored, already
    imported or cancelled, deleted after a day, or another account's)."""
    if not _TOKEN.match(token):
        return None
    path = uploads_dir() / _stem(account, token)
    if not path.is_file():
        return None
    return StoredUpload(token=token, path=path, name=_original_name(path))


def _original_name(path: Path) -> str:
    try:
        return _name_path(path).read_text(encoding="utf-8").strip() or "contacts"
    except (OSError, UnicodeDecodeError):
        return "contacts"


def upload_owned_by_another(*, account: Account, token: str) -> bool:
    """True if an upload with this token exists but belongs to another account."""
    if not _TOKEN.match(token):
        return False
    mine = _stem(account, token)
    theirs = re.compile(rf"\d+-{re.escape(token)}")
    for path in uploads_dir().glob(f"*-{token}*"):
        stem = path.name.removesuffix(_NAME_SUFFIX).removesuffix(_CLAIMED_SUFFIX)
        if stem != mine and theirs.fullmatch(stem):
            return True
    return False


@contextlib.contextmanager
def upload_claimed(upload: StoredUpload) -> Iterator[Path | None]:
    """Take the upload for importing: yields the path to read, or ``None`` if another request
    took it first (or it is gone); the file is deleted when the block ends, whatever happens."""
    claimed = upload.path.with_name(upload.path.name + _CLAIMED_SUFFIX)
    try:
        upload.path.rename(claimed)
    except FileNotFoundError:
        yield None
        return
    try:
        yield claimed
    finally:
        claimed.unlink(missing_ok=True)
        _name_path(upload.path).unlink(missing_ok=True)


def upload_delete(upload: StoredUpload) -> None:
    """Delete the stored upload and its name (nothing happens if it is already gone)."""
    _remove(upload.path)


def uploads_clean_old(*, now: float | None = None) -> int:
    """Delete every upload (of any account) last written more than a day ago; how many files."""
    folder = uploads_dir()
    cutoff = (time.time() if now is None else now) - KEEP_SECONDS
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except FileNotFoundError:
            continue  # deleted meanwhile by another request
    return removed


def upload_format(upload: StoredUpload) -> FileFormat:
    """The upload's format as detected from its first bytes and its original name (a file sent
    as ``.vcf`` is read as a vCard even when its first line looks like CSV)."""
    with upload.path.open("rb") as raw:
        head = raw.read(_HEAD_SIZE)
    return detect_format(head, filename=upload.name)


@dataclass(frozen=True, slots=True)
class SamplePerson:
    """One person read from an uploaded file, as the preview shows them."""

    row: int
    name: str
    company: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    tags: tuple[str, ...]


def upload_sample(upload: StoredUpload, *, file_format: FileFormat, limit: int = 10) -> list[SamplePerson]:
    """The first ``limit`` people in the file as written there (rows that cannot be read are
    passed over; reading stops after ``limit``). A file that turns out unreadable gives the
    people read before the problem."""
    people: list[SamplePerson] = []
    with (
        contextlib.suppress(ImportFailed),
        open_cards(upload.path, file_format=file_format, label=upload.name) as cards,
    ):
        for item in cards:
            if isinstance(item, Card):
                people.append(_sample_person(item))
                if len(people) >= limit:
                    break
    return people


def _sample_person(card: Card) -> SamplePerson:
    name = " ".join(p.strip() for p in (card.first_name, card.middle_name, card.last_name) if p.strip())
    return SamplePerson(
        row=card.row,
        name=name,
        company=card.company.strip(),
        phones=tuple(p.value.strip() for p in card.phones if p.value.strip()),
        emails=tuple(e.address.strip() for e in card.emails if e.address.strip()),
        tags=tuple(t.strip() for t in card.tags if t.strip()),
    )
