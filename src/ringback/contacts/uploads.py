"""Contact files uploaded on the import page, kept on disk between the preview and the import.

An upload is written to ``DATA_DIR/uploads/<account id>-<token>`` (``token`` from
:func:`secrets.token_urlsafe`), with its original name beside it in ``<account id>-<token>.name``
for the messages: files 0600 in a 0700 folder, whatever the umask. Only the account whose id
starts the file name can use it. An account keeps at most :data:`WAITING_LIMIT` files waiting to
be imported, of at most :data:`WAITING_BYTES` in all.

An import claims the file by renaming it to ``….importing`` while it holds a lock on it (so two
clicks on "Import" run it once). The lock goes with the process: a claim whose lock is free was
cut short by a crash, and :func:`uploads_clean` reports it (the import is one transaction, so
either its report was saved with the contacts, or nothing was imported and an "interrupted"
report says so) and deletes it. Uploads older than a day are deleted whenever one is stored or
the import page lists them, and by ``ringback imports --clean``: no second process is needed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from ringback.accounts.models import Account
from ringback.contacts.importing import import_run_interrupted
from ringback.contacts.models import ImportRun
from ringback.core.errors import ImportFailed, UploadsWaiting
from ringback.core.interchange import Card, FileFormat
from ringback.core.interchange.cards import open_cards
from ringback.core.interchange.detect import detect_format
from ringback.core.interchange.incoming import MAX_EMAILS, MAX_NUMBERS

#: The largest contact file the import page takes, in bytes.
UPLOAD_LIMIT = 100 * 1024 * 1024
#: Uploads older than this (seconds) are deleted.
KEEP_SECONDS = 24 * 60 * 60
#: The most files an account may leave waiting to be imported (previewed, neither imported nor
#: cancelled)...
WAITING_LIMIT = 5
#: ...and the most bytes they may take in all (two files of the largest size).
WAITING_BYTES = 2 * UPLOAD_LIMIT
#: What a token looks like (``secrets.token_urlsafe(16)``: 22 URL-safe characters).
TOKEN_PATTERN = r"[A-Za-z0-9_-]{22}"

_TOKEN = re.compile(rf"\A{TOKEN_PATTERN}\Z")
_STEM = re.compile(rf"\A(\d+)-({TOKEN_PATTERN})\Z")
_NAME_SUFFIX = ".name"
_CLAIMED_SUFFIX = ".importing"
_HEAD_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """An uploaded contact file on disk: its token, where it is, and the name it was sent with."""

    token: str
    path: Path
    name: str


@dataclass(frozen=True, slots=True)
class WaitingUpload:
    """One of an account's uploaded files that has not been imported: waiting for the seller, or
    being imported right now (``importing``)."""

    token: str
    name: str
    size: int
    stored_at: datetime
    importing: bool


@dataclass(slots=True)
class UploadsCleaned:
    """What :func:`uploads_clean` did: old files deleted, and the reports of imports cut short by a
    crash whose leftovers it found and deleted (an interrupted report, or the one the import saved
    if it finished)."""

    deleted: int = 0
    interrupted: list[ImportRun] = field(default_factory=list)


def uploads_dir() -> Path:
    """The folder uploads are kept in (``DATA_DIR/uploads``)."""
    return Path(settings.DATA_DIR) / "uploads"


def _folder() -> Path:
    """The uploads folder, made if need be, readable by its owner only (0700) whatever the umask
    or an older Ringback left."""
    folder = uploads_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:
        folder.chmod(0o700)
    return folder


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the uploads folder's lock: one request at a time counts and adds an account's files,
    or cleans up after a crash (held for a file's copy at most)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _stem(account: Account, token: str) -> str:
    return f"{account.pk}-{token}"


def _write_private(path: Path, chunks: Iterator[bytes]) -> None:
    """Write a new file that only its owner can read (0600 from the start, whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)
        for chunk in chunks:
            out.write(chunk)


def upload_store(*, account: Account, upload: UploadedFile[bytes]) -> StoredUpload:
    """Write ``upload`` to the uploads folder under a new token for ``account`` and return it.

    Only the owner can read the file (mode 0600, folder 0700). Old uploads of every account are
    deleted first. Raises :class:`UploadsWaiting` when the account already has
    :data:`WAITING_LIMIT` files waiting, or this one would make them more than
    :data:`WAITING_BYTES`: the message says to import or cancel them first. The size limit of one
    file is the form's to check.
    """
    folder = _folder()
    uploads_clean()
    token = secrets.token_urlsafe(16)
    path = folder / _stem(account, token)
    name = Path(upload.name or "contacts").name or "contacts"
    with _locked(folder):
        _check_room(uploads_waiting(account=account), upload.size or 0)
        try:
            _write_private(path, upload.chunks())
            _write_private(_name_path(path), iter([name.encode("utf-8")]))
        except BaseException:
            _remove(path)
            raise
    return StoredUpload(token=token, path=path, name=name)


def _check_room(waiting: list[WaitingUpload], size: int) -> None:
    then = "Import or cancel them (below), then send this file again."
    if len(waiting) >= WAITING_LIMIT:
        raise UploadsWaiting(
            f"You have {len(waiting)} files waiting to be imported, the most Ringback keeps at once. {then}"
        )
    total = sum(w.size for w in waiting)
    if total + size > WAITING_BYTES:
        raise UploadsWaiting(
            f"The files waiting to be imported take {filesizeformat(total)}; with this one "
            f"({filesizeformat(size)}) that is more than the {filesizeformat(WAITING_BYTES)} Ringback "
            f"keeps at once. {then}".replace("\xa0", " ")
        )


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


def uploads_waiting(*, account: Account) -> list[WaitingUpload]:
    """The account's uploaded files not imported yet, oldest first: waiting for the seller to
    import or cancel them, or being imported right now. Leftovers of an import cut short by a
    crash are not among them (:func:`uploads_clean` reports and deletes those)."""
    try:
        entries = list(os.scandir(uploads_dir()))
    except FileNotFoundError:
        return []
    found: list[WaitingUpload] = []
    for entry in entries:
        stem = entry.name.removesuffix(_CLAIMED_SUFFIX)
        match = _STEM.match(stem)
        if match is None or match.group(1) != str(account.pk):
            continue
        importing = stem != entry.name
        if importing and not _claim_running(Path(entry.path)):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue  # imported or cancelled meanwhile
        if not stat.S_ISREG(info.st_mode):
            continue
        found.append(
            WaitingUpload(
                token=match.group(2),
                name=_original_name(Path(entry.path).with_name(stem)),
                size=info.st_size,
                stored_at=datetime.fromtimestamp(info.st_mtime, tz=UTC),
                importing=importing,
            )
        )
    return sorted(found, key=lambda w: (w.stored_at, w.token))


def _claim_running(claimed: Path) -> bool:
    """Whether the import that claimed this file is still running (it holds the file's lock)."""
    try:
        fd = os.open(claimed, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@contextlib.contextmanager
def upload_claimed(upload: StoredUpload) -> Iterator[Path | None]:
    """Take the upload for importing: yields the path to read, or ``None`` if another request
    took it first (or it is gone); the file is deleted when the block ends, whatever happens.

    The file is locked while it is claimed; the lock is the operating system's and goes with the
    process, so a claim left behind by a crash is told from an import still running."""
    claimed = upload.path.with_name(upload.path.name + _CLAIMED_SUFFIX)
    try:
        fd = os.open(upload.path, os.O_RDONLY)
    except FileNotFoundError:
        yield None
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            upload.path.rename(claimed)
        except (BlockingIOError, FileNotFoundError):
            yield None  # another request is taking it, or has taken it
            return
        try:
            yield claimed
        finally:
            claimed.unlink(missing_ok=True)
            _name_path(upload.path).unlink(missing_ok=True)
    finally:
        os.close(fd)  # the lock goes once the file is gone


def upload_delete(upload: StoredUpload) -> None:
    """Delete the stored upload and its name (nothing happens if it is already gone)."""
    _remove(upload.path)


def uploads_clean(
    *, account: Account | None = None, everyone: bool = False, now: float | None = None
) -> UploadsCleaned:
    """Delete uploads (of any account) last written more than a day ago, and clean up after
    imports cut short by a crash: those of ``account`` (or of ``everyone``) at once, other
    accounts' once they are a day old (so their owner is told on their next visit). Each import
    cut short gets its report: the one it saved if it finished (it is written in the import's
    transaction), else an "interrupted" one saying nothing was imported. Imports still running
    are left alone."""
    folder = uploads_dir()
    cutoff = (time.time() if now is None else now) - KEEP_SECONDS
    cleaned = UploadsCleaned()
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return cleaned
    names = {entry.name for entry in entries}
    mine = f"{account.pk}-" if account is not None else None
    claims: list[str] = []
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue  # deleted meanwhile by another request
        if not stat.S_ISREG(info.st_mode):
            continue
        name, old = entry.name, info.st_mtime < cutoff
        if name.endswith(_CLAIMED_SUFFIX):
            stem = name.removesuffix(_CLAIMED_SUFFIX)
            if everyone or old or (mine is not None and stem.startswith(mine)):
                claims.append(stem)
            continue
        stem = name.removesuffix(_NAME_SUFFIX)
        if stem != name and (stem in names or stem + _CLAIMED_SUFFIX in names):
            continue  # a name goes with its file
        if old:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                cleaned.deleted += stem == name  # names are not counted: they go with their file
            if stem == name and name + _NAME_SUFFIX in names:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(folder / (name + _NAME_SUFFIX))
    for stem in claims:
        run = _clean_claim(folder, stem)
        if run is not None:
            cleaned.interrupted.append(run)
    return cleaned


def _clean_claim(folder: Path, stem: str) -> ImportRun | None:
    """Report and delete the claim ``stem`` if its import died; ``None`` if it is still running,
    or someone else cleaned it up meanwhile."""
    claimed = folder / (stem + _CLAIMED_SUFFIX)
    with _locked(folder):
        try:
            fd = os.open(claimed, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None  # an import running now
            run = None
            match = _STEM.match(stem)
            owner = Account.objects.filter(pk=int(match.group(1))).first() if match else None
            if owner is not None and match is not None:
                name = _original_name(folder / stem)
                run = import_run_interrupted(account=owner, label=name, upload=match.group(2))
            _remove(claimed)
            _name_path(folder / stem).unlink(missing_ok=True)
            return run
        finally:
            os.close(fd)


def upload_format(upload: StoredUpload) -> FileFormat:
    """The upload's format as detected from its first bytes and its original name (a file sent
    as ``.vcf`` is read as a vCard even when its first line looks like CSV)."""
    with upload.path.open("rb") as raw:
        head = raw.read(_HEAD_SIZE)
    return detect_format(head, filename=upload.name)


@dataclass(frozen=True, slots=True)
class SamplePerson:
    """One person read from an uploaded file, as the preview shows them: as many numbers and
    emails as a contact keeps, and how many more the file has."""

    row: int
    name: str
    company: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    tags: tuple[str, ...]
    more_phones: int = 0
    more_emails: int = 0


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
    phones = [p.value.strip() for p in card.phones if p.value.strip()]
    emails = [e.address.strip() for e in card.emails if e.address.strip()]
    return SamplePerson(
        row=card.row,
        name=name,
        company=card.company.strip(),
        phones=tuple(phones[:MAX_NUMBERS]),
        emails=tuple(emails[:MAX_EMAILS]),
        tags=tuple(t.strip() for t in card.tags if t.strip()),
        more_phones=max(len(phones) - MAX_NUMBERS, 0),
        more_emails=max(len(emails) - MAX_EMAILS, 0),
    )
