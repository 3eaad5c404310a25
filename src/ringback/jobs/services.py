"""Writes about background work: taking back the tasks of workers that died, and retrying
failed tasks with back-off (django-tasks-db does neither)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ringback.core import clock
from ringback.jobs.background import retry_policy
from ringback.jobs.models import TaskLease


def lease_length() -> timedelta:
    """How long a lease lasts unless renewed (``RINGBACK_TASK_LEASE_SECONDS``, default 60 s); a
    running task's worker renews it every third of that."""
    return timedelta(seconds=float(getattr(settings, "TASK_LEASE_SECONDS", 60)))


def unleased_grace() -> timedelta:
    """How long a task claimed without a lease (its worker died between the two writes) waits
    before it is taken back: five leases."""
    return 5 * lease_length()


class WorkerDied(Exception):
    """The worker running a task stopped renewing its lease (killed, or its machine went away)."""


def task_requeue(*, pk: UUID | str, after: timedelta, was: str) -> bool:
    """Put task ``pk`` back in the queue, due ``after`` from now, if it is still in status ``was``
    (one of two workers doing this at once wins). Its attempts (worker ids) are kept.

    Due counts from the real time, not Ringback's clock: the task library picks due tasks by the
    real time, so a clock set in the past (a demo, a test) must not make a back-off vanish."""
    updated = DBTaskResult.objects.filter(pk=pk, status=was).update(
        status=TaskResultStatus.READY, run_after=timezone.now() + after, finished_at=None
    )
    return updated == 1


def task_retry_if_allowed(*, result: DBTaskResult[Any, Any]) -> bool:
    """Retry a task that just failed, with back-off, if its policy allows another attempt;
    whether it was put back in the queue."""
    policy = retry_policy(result.task_path)
    attempts = len(result.worker_ids)
    if result.status != TaskResultStatus.FAILED or attempts >= policy.max_attempts:
        return False
    return task_requeue(pk=result.pk, after=policy.delay(attempts), was=TaskResultStatus.FAILED)


def jobs_reclaim(*, now: datetime | None = None) -> int:
    """Take back the running tasks whose worker died: a lease that expired, or a claim without a
    lease older than :func:`unleased_grace`. Each is retried with back-off if its policy allows
    another attempt, else marked failed (:class:`WorkerDied`). Returns how many were taken back.
    Safe to run from several workers at once: each task is taken back once."""
    now = now or clock.now()
    lease = TaskLease.objects.filter(result=OuterRef("pk"))
    abandoned = DBTaskResult.objects.running().filter(
        Q(Exists(lease.filter(expires_at__lt=now)))
        | (~Exists(lease) & Q(started_at__lt=now - unleased_grace()))
    )
    taken = 0
    for result in abandoned.order_by("started_at")[:500]:
        with transaction.atomic():
            TaskLease.objects.filter(result=result).delete()
            policy = retry_policy(result.task_path)
            if len(result.worker_ids) < policy.max_attempts:
                done = task_requeue(pk=result.pk, after=policy.delay(len(result.worker_ids)), was="RUNNING")
            else:
                done = _fail_abandoned(result)
            taken += done
    return taken


def _fail_abandoned(result: DBTaskResult[Any, Any]) -> bool:
    """Mark a task whose worker died failed, if it is still running."""
    died = WorkerDied(
        f"the worker running it ({result.worker_ids[-1] if result.worker_ids else '?'}) stopped"
    )
    updated = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=clock.now(),
        exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
        traceback=str(died),
    )
    return updated == 1
