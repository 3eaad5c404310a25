"""Imports confirmed on the web run in the background: the request only starts one (once per
uploaded file) and the page follows its progress (rows read, how much of the file) without a
reload, then shows the report.

The import is one transaction (nothing is half-imported), so its progress can't be read from the
database while it runs: the worker writes it to a small file next to the upload (0600, replaced
atomically, in ``DATA_DIR/import-progress``), which the page reads. The worker must therefore see the uploads folder: the same
machine as the web server (``ringback serve`` runs one), or a shared data directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ringback.accounts.models import Account
from ringback.contacts.choices import ImportJobStatus
from ringback.contacts.importing import contacts_import
from ringback.contacts.models import ImportJob
from ringback.contacts.uploads import StoredUpload, upload_claimed, upload_get
from ringback.core import clock
from ringback.core.errors import ImportFailed, NotFound
from ringback.core.interchange import FileFormat
from ringback.datafiles import private_dir
from ringback.jobs.background import background

#: How often the worker writes the progress file at most (seconds).
PROGRESS_EVERY = 0.25


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far an import is: rows read so far, bytes of the file read and in all."""

    rows: int = 0
    bytes_read: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.bytes_read / self.total)) if self.total else 0


#: A progress file left by an import whose worker died is deleted after this long.
PROGRESS_KEPT = timedelta(days=1)


def _progress_dir() -> Path:
    """Where the progress files are (``DATA_DIR/import-progress``, 0700)."""
    return private_dir(Path(settings.DATA_DIR) / "import-progress")


def _progress_path(job: ImportJob) -> Path:
    return _progress_dir() / f"job-{job.account_id}-{job.pk}.json"


def _progress_clean() -> None:
    """Delete the progress files of imports whose worker died long ago."""
    cutoff = time.time() - PROGRESS_KEPT.total_seconds()
    for path in _progress_dir().glob("*.json"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


def import_progress_read(*, job: ImportJob) -> ImportProgress:
    """The progress the worker last wrote for ``job`` (nothing read yet when there is none)."""
    try:
        data = json.loads(_progress_path(job).read_text(encoding="utf-8"))
        return ImportProgress(rows=int(data["rows"]), bytes_read=int(data["bytes"]), total=int(data["total"]))
    except (OSError, ValueError, KeyError, TypeError):
        return ImportProgress()


def _progress_write(path: Path, progress: ImportProgress) -> None:
    """Replace the progress file at once (a reader sees the old one or the new one, never half)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"rows": progress.rows, "bytes": progress.bytes_read, "total": progress.total}, handle)
    os.replace(name, path)


def import_job_start(*, account: Account, upload: StoredUpload, file_format: FileFormat | None) -> ImportJob:
    """Start importing ``upload`` in the background, once: a second confirm of the same file
    (a double click, a second tab) gets the job already started."""
    existing = ImportJob.objects.filter(account=account, upload=upload.token).first()
    if existing is not None:
        return existing
    _progress_clean()
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                account=account,
                upload=upload.token,
                file_name=upload.name,
                file_format=str(file_format or ""),
                created_at=clock.now(),
            )
            # Enqueued with the job: both are kept, or neither.
            result = import_job_run_task.enqueue(job.pk)
            ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    except IntegrityError:
        return ImportJob.objects.get(account=account, upload=upload.token)
    job.refresh_from_db()
    return job


def import_job_get(*, account: Account, pk: int) -> ImportJob:
    """The account's import job ``pk``; another account's, or none, is :class:`NotFound`."""
    job = ImportJob.objects.filter(account=account, pk=pk).select_related("run").first()
    if job is None:
        raise NotFound("no such import")
    return job


def import_job_stalled(*, job: ImportJob) -> bool:
    """Whether ``job`` will never finish by itself: its task ended (its worker died, or it was
    taken back and failed) while the job still says it is waiting or running."""
    if job.status not in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING) or not job.task_id:
        return False
    status = DBTaskResult.objects.filter(pk=job.task_id).values_list("status", flat=True).first()
    return status in (None, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL)


def import_job_run(*, pk: int) -> str:
    """Run import job ``pk`` (the worker's task): the file imported in one transaction, the job
    then done with its report, or failed with the reason. A job already started is not run again
    (a worker that died mid-import left nothing imported: the job says so)."""
    started = ImportJob.objects.filter(pk=pk, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=clock.now()
    )
    job = ImportJob.objects.select_related("account").get(pk=pk)
    if not started:
        if job.status == ImportJobStatus.RUNNING:
            _finish(
                job, error="the import stopped before it finished (the worker stopped); nothing was imported"
            )
        return job.status
    upload = upload_get(account=job.account, token=job.upload)
    if upload is None:
        return _finish(job, error="the file is no longer waiting to be imported")
    path = _progress_path(job)
    last = [0.0]

    def report(bytes_read: int, total: int, rows: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY or bytes_read >= total:
            last[0] = now
            _progress_write(path, ImportProgress(rows=rows, bytes_read=bytes_read, total=total))

    try:
        with upload_claimed(upload) as claimed:
            if claimed is None:
                return _finish(job, error="the file is being imported by another request")
            run = contacts_import(
                account=job.account,
                path=claimed,
                file_format=FileFormat(job.file_format) if job.file_format else None,
                label=job.file_name,
                upload=job.upload,
                progress=report,
            )
    except ImportFailed as exc:
        return _finish(job, error=exc.message)
    finally:
        path.unlink(missing_ok=True)
    return _finish(job, run_id=run.pk)


def _finish(job: ImportJob, *, error: str = "", run_id: int | None = None) -> str:
    status = ImportJobStatus.FAILED if error else ImportJobStatus.DONE
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, error=error[:1000], run_id=run_id, finished_at=clock.now()
    )
    return status.value


@background()
def import_job_run_task(job_id: int) -> str:
    """The background task of an import confirmed on the web (see :func:`import_job_run`). Not
    retried: a second run of a job that was started says the first stopped."""
    return import_job_run(pk=job_id)
